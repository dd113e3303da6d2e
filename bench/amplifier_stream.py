"""Amplifier streaming benchmark (not a test): many sessions streaming at once through agentdeck
from a loopback OpenAI-compatible upstream that emits tokens at a fixed rate.

Three processes: the fake upstream (``python -m tests.upstreams openai``, every reply ``--tokens``
long, paced at ``--rate`` tokens/s per stream), ``agentdeck serve`` (``--workers``, SQLite in a fresh
data directory) and this load generator. For each concurrency level it measures, in the same
run and with the same load:

- **upstream**: N concurrent streams straight from the upstream (its own first-token latency);
- **agentdeck**: N concurrent ``POST /amplifier/sessions/{id}/stream`` on N sessions.

and prints the streams held open at once, the tokens/s delivered, and the first-token latency
(p50 / p95, request sent → first text token received) with what agentdeck adds over the
upstream's own. The client is a minimal HTTP/1.1 reader on asyncio streams, so that its cost
stays small next to the server's on a 2-core machine.

    python bench/amplifier_stream.py [--streams 50,100,300] [--rate 5] [--tokens 60] [--ramp 2]
                                     [--workers 1]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from conditions import Conditions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
AGENTDECK = os.path.join(os.path.dirname(sys.executable), "agentdeck")


# -- a minimal streaming HTTP/1.1 client -------------------------------------------------------

@dataclass
class StreamResult:
    """One stream as the client saw it."""

    first_token: float | None = None
    tokens: int = 0
    ok: bool = False
    error: str | None = None


@dataclass
class Gauge:
    """Streams open right now, and the most at once."""

    now: int = 0
    peak: int = 0
    results: list = field(default_factory=list)

    def opened(self):
        """A stream opened."""
        self.now += 1
        self.peak = max(self.peak, self.now)

    def closed(self):
        """A stream closed."""
        self.now -= 1


def upstream_token(line: bytes) -> bool:
    """A chunk of the upstream's stream carrying text (the first chunk has an empty content)."""
    return b'"content": "' in line and b'"content": ""' not in line


def agentdeck_token(line: bytes) -> bool:
    """A text event of an Amplifier stream."""
    return b'"type": "provider:stream:delta"' in line


async def stream_once(port: int, path: str, body: dict, is_token, gauge: Gauge) -> StreamResult:
    """POST ``body`` and read the SSE response; ``is_token(line)`` says which events carry text."""
    result, payload = StreamResult(), json.dumps(body).encode()
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        result.error = repr(exc)
        return result
    gauge.opened()
    try:
        writer.write(b"POST %s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (path.encode(), len(payload), payload))
        status = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        if b" 200 " not in status:
            result.error = status.decode().strip()
            return result
        async for line in _lines(reader):
            if line.startswith(b"data: ") and is_token(line):
                result.tokens += 1
                if result.first_token is None:
                    result.first_token = time.perf_counter() - started
            elif line.startswith(b"data: ") and (b'"type": "error"' in line):
                result.error = line.decode()
        result.ok = result.error is None and result.tokens > 0
        return result
    finally:
        gauge.closed()
        writer.close()


async def _lines(reader: asyncio.StreamReader):
    """The lines of a chunked (or plain) body until the connection ends."""
    buffer = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            yield line.rstrip(b"\r")


# -- running agentdeck and the upstream --------------------------------------------------------

def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_upstream(rate: float, tokens: int) -> tuple[subprocess.Popen, str]:
    """The fake upstream (``python -m tests.upstreams``) in its own process, and its base URL."""
    reply = " ".join(f"tok{i}" for i in range(tokens))
    proc = subprocess.Popen([sys.executable, "-m", "tests.upstreams", "openai", "--port", str(_port()),
                             "--tokens-per-second", str(rate), "--reply", reply],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip().rsplit(" ", 1)[1]


def start_agentdeck(data_dir: str, port: int, workers: int) -> subprocess.Popen:
    """``agentdeck serve`` on ``port``, waiting until it answers."""
    env = {**os.environ, "AGENTDECK_DATA_DIR": data_dir, "AGENTDECK_SURFACES": "amplifier",
           "AGENTDECK_OUTBOUND_ALLOW_PRIVATE": "true", "AGENTDECK_LOG_LEVEL": "WARNING",
           "AGENTDECK_MAINTENANCE_INTERVAL": "0", "BENCH_UPSTREAM_KEY": "sk-bench"}
    log = open(os.path.join(data_dir, "server.log"), "w")
    proc = subprocess.Popen([AGENTDECK, "serve", "--port", str(port), "--workers", str(workers)],
                            env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("agentdeck did not start; see server.log")


async def request_json(port: int, method: str, path: str, body: dict | None = None) -> dict:
    """One small JSON request (setup only)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    payload = json.dumps(body).encode() if body is not None else b""
    writer.write(b"%s %s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n%s" % (method.encode(), path.encode(), len(payload), payload))
    raw = await reader.read()
    writer.close()
    return json.loads(raw.partition(b"\r\n\r\n")[2])  # JSON answers carry a Content-Length


async def make_sessions(port: int, upstream_url: str, count: int) -> list[str]:
    """One config on the upstream and ``count`` sessions on it."""
    yaml_content = (f"bundle:\n  name: bench\nproviders:\n  - module: provider-openai\n    config:\n"
                    f"      base_url: {upstream_url}\n      api_key: ${{BENCH_UPSTREAM_KEY}}\n"
                    f"      model: gpt-fake\n      max_retries: 0\n")
    config = await request_json(port, "POST", "/amplifier/configs", {"name": "bench", "yaml_content": yaml_content})
    sessions = []
    for start in range(0, count, 50):
        batch = await asyncio.gather(*[request_json(port, "POST", "/amplifier/sessions",
                                                    {"config_id": config["config_id"]})
                                       for _ in range(min(50, count - start))])
        sessions += [s["session_id"] for s in batch]
    return sessions


# -- measuring ---------------------------------------------------------------------------------

@dataclass
class Phase:
    """What one phase delivered."""

    name: str
    streams: int
    peak: int
    complete: int
    tokens: int
    seconds: float
    first_tokens: list

    def row(self, baseline: "Phase | None") -> str:
        """One printed line; with ``baseline``, what this phase adds to its first-token latency."""
        p50, p95 = _percentile(self.first_tokens, 50), _percentile(self.first_tokens, 95)
        added = ""
        if baseline is not None:
            added = (f"  added p50 {1000 * (p50 - _percentile(baseline.first_tokens, 50)):+7.1f} ms"
                     f"  p95 {1000 * (p95 - _percentile(baseline.first_tokens, 95)):+7.1f} ms")
        return (f"{self.name:<10} streams {self.streams:>4}  open at once {self.peak:>4}  "
                f"complete {self.complete:>4}  tokens/s {self.tokens / self.seconds:>8.0f}  "
                f"first token p50 {1000 * p50:7.1f} ms  p95 {1000 * p95:7.1f} ms{added}")


def _percentile(values: list, pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


async def run_phase(name: str, port: int, requests: list[tuple[str, dict]], is_token, ramp: float) -> Phase:
    """Start ``requests`` evenly over ``ramp`` seconds (0: all at once); returns what was delivered."""
    gauge = Gauge()
    started = time.perf_counter()

    async def later(index: int, path: str, body: dict) -> StreamResult:
        await asyncio.sleep(ramp * index / len(requests))
        return await stream_once(port, path, body, is_token, gauge)

    results = await asyncio.gather(*[later(i, path, body) for i, (path, body) in enumerate(requests)])
    seconds = time.perf_counter() - started
    errors = [r.error for r in results if r.error]
    if errors:
        print(f"  {name}: {len(errors)} errors, e.g. {errors[0]}")
    return Phase(name, len(requests), gauge.peak, sum(r.ok for r in results), sum(r.tokens for r in results),
                 seconds, [r.first_token for r in results if r.first_token is not None])


async def bench(levels: list[int], rate: float, tokens: int, workers: int, ramp: float) -> None:
    """Start the upstream and agentdeck, then measure each concurrency level both ways."""
    upstream, upstream_url = start_upstream(rate, tokens)
    data_dir = tempfile.mkdtemp(prefix="agentdeck-bench-")
    port = _port()
    server = start_agentdeck(data_dir, port, workers)
    try:
        upstream_port = int(upstream_url.rsplit(":", 1)[1].split("/")[0])
        sessions = await make_sessions(port, upstream_url, max(levels))
        print(f"upstream: {tokens} tokens a reply at {rate:g} tokens/s per stream; streams start over "
              f"{ramp:g} s; agentdeck: {workers} worker(s), SQLite\n")
        # One stream each way first: the first use of a provider imports and builds its client.
        await run_phase("warm-up", upstream_port, [_direct_request()], upstream_token, 0)
        await run_phase("warm-up", port, [(f"/amplifier/sessions/{sessions[0]}/stream", {"message": "go"})],
                        agentdeck_token, 0)
        for count in levels:
            direct = [_direct_request()] * count
            baseline = await run_phase("upstream", upstream_port, direct, upstream_token, ramp)
            through = [(f"/amplifier/sessions/{sid}/stream", {"message": "go"}) for sid in sessions[:count]]
            measured = await run_phase("agentdeck", port, through, agentdeck_token, ramp)
            print(baseline.row(None))
            print(measured.row(baseline))
            print()
    finally:
        server.terminate()
        upstream.terminate()
        server.wait(timeout=10)
        upstream.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


def _direct_request() -> tuple[str, dict]:
    return ("/v1/chat/completions", {"model": "gpt-fake", "stream": True,
                                     "messages": [{"role": "user", "content": "go"}]})


def main() -> None:
    """Parse the arguments and run the bench."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", default="50,100,300", help="concurrency levels, comma-separated")
    parser.add_argument("--rate", type=float, default=5.0, help="upstream tokens per second per stream")
    parser.add_argument("--tokens", type=int, default=60, help="tokens in every reply")
    parser.add_argument("--workers", type=int, default=1, help="agentdeck worker processes")
    parser.add_argument("--ramp", type=float, default=2.0,
                        help="seconds over which the streams of a level start (0: all at once)")
    args = parser.parse_args()
    levels = [int(n) for n in args.streams.split(",")]
    conditions = Conditions()
    asyncio.run(bench(levels, args.rate, args.tokens, args.workers, args.ramp))
    print(conditions.summary())


if __name__ == "__main__":
    main()
