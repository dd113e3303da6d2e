"""A paced OpenAI-compatible upstream for benchmarks (not a test): Chat Completions streams of
``--tokens`` SSE chunks, one every 1/``--rate`` seconds per stream, the first after one interval,
then the finish chunk, usage when asked, ``[DONE]``. A minimal asyncio HTTP/1.1 server (keep-alive,
chunked bodies; uvloop when installed) so that its own cost stays small next to the server's.
``GET /v1/models`` lists one model, ``gpt-fake``.

    python bench/paced_upstream.py --port 9100 [--rate 5] [--tokens 100]
"""
from __future__ import annotations

import argparse
import asyncio
import json

try:
    import uvloop
except ImportError:
    uvloop = None


def _chunk(payload: bytes) -> bytes:
    """One HTTP/1.1 chunk."""
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def _sse(data: dict | str) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data)
    return _chunk(f"data: {text}\n\n".encode())


def _completion_chunk(delta: dict | None, finish=None, **extra) -> dict:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1700000000,
            "model": "gpt-fake", "choices": choices, **extra}


class PacedUpstream:
    """Chat Completions streams of ``tokens`` chunks, one every ``1 / rate`` seconds."""

    def __init__(self, rate: float, tokens: int):
        self.interval = 1.0 / rate
        self.head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n"
                     + _sse(_completion_chunk({"role": "assistant", "content": ""})))
        self.tokens = [_sse(_completion_chunk({"content": f" tok{i}"})) for i in range(tokens)]
        usage = {"prompt_tokens": 1, "completion_tokens": tokens, "total_tokens": tokens + 1}
        self.finish = _sse(_completion_chunk({}, "stop"))
        self.usage = _sse(_completion_chunk(None, usage=usage))
        self.end = _sse("[DONE]") + b"0\r\n\r\n"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer the requests of one connection (keep-alive) until it closes."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                if " /v1/chat/completions " in lines[0]:
                    await self.stream(writer, json.loads(body or b"{}"))
                else:
                    models = json.dumps({"object": "list", "data": [{"id": "gpt-fake", "object": "model"}]})
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(models), models.encode()))
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def stream(self, writer: asyncio.StreamWriter, request: dict) -> None:
        """One paced stream, on an absolute schedule so that pacing does not drift."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        writer.write(self.head)
        for i, token in enumerate(self.tokens):
            await asyncio.sleep(max(0.0, started + (i + 1) * self.interval - loop.time()))
            if writer.is_closing():
                return
            writer.write(token)
        writer.write(self.finish)
        if (request.get("stream_options") or {}).get("include_usage"):
            writer.write(self.usage)
        writer.write(self.end)
        await writer.drain()


async def run_upstream(port: int, rate: float, tokens: int) -> None:
    """Serve the paced upstream on 127.0.0.1:``port`` until killed."""
    upstream = PacedUpstream(rate, tokens)
    server = await asyncio.start_server(upstream.serve, "127.0.0.1", port, backlog=4096)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Parse the arguments and serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=5.0, help="tokens/s per stream")
    parser.add_argument("--tokens", type=int, default=100, help="tokens in every stream")
    args = parser.parse_args()
    if uvloop is not None:
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(run_upstream(args.port, args.rate, args.tokens))


if __name__ == "__main__":
    main()
