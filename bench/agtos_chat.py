"""agtOS chat benchmark (not a test): streamed chats per second through one agentdeck worker and
the first-token latency it adds, against the paced upstream called directly in the same run.

Three processes on loopback: ``paced_upstream.py`` (an OpenAI-compatible server streaming
``--tokens`` chunks per answer at ``--rate`` tokens/s), ``agentdeck serve --workers 1`` (SQLite,
the agtOS surface, the chat slot on ``openai`` / ``gpt-fake`` pointed at the upstream, the key
stored with the setup token, rate limits raised out of the way) and this client, which keeps
``--concurrency`` requests in flight for ``--seconds``:

- **upstream**: ``POST /v1/chat/completions`` with ``stream: true``, read to ``[DONE]``;
- **agtOS**: ``POST /agtos/api/chat/stream``, read to the final ``done`` event.

Printed per phase: completed requests per second, first-token latency (request sent to the first
text) p50 / p95, agentdeck's added p50 / p95, and the 1-minute load average.

    python bench/agtos_chat.py [--seconds 10] [--concurrency 20] [--tokens 20] [--rate 200]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx

HERE = os.path.dirname(os.path.abspath(__file__))
AGENTDECK = os.path.join(os.path.dirname(sys.executable), "agentdeck")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] if ordered else float("nan")


async def one_request(client: httpx.AsyncClient, url: str, body: dict, marker: bytes, end: bytes) -> float:
    """Seconds to the first text of one streamed answer; reads it to its end."""
    started = time.perf_counter()
    first = None
    async with client.stream("POST", url, json=body) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            if first is None and marker in chunk:
                first = time.perf_counter() - started
            if end in chunk:
                break
    return first if first is not None else float("nan")


async def phase(url: str, body: dict, marker: bytes, end: bytes, seconds: float, concurrency: int):
    """(requests per second, first-token latencies) over ``seconds`` with ``concurrency`` in flight."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        deadline = time.monotonic() + seconds

        async def worker():
            while time.monotonic() < deadline:
                latencies.append(await one_request(client, url, body, marker, end))

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    return len(latencies) / elapsed, latencies


def configure(base: str, upstream: str) -> None:
    """Store an OpenAI key with the setup token and point the chat slot at the upstream's model."""
    with httpx.Client(base_url=base, timeout=30) as http:
        token = http.get("/agtos/api/setup-token").json()["token"]
        http.post("/agtos/api/credentials", json={"provider": "provider-openai", "apiKey": "sk-bench"},
                  headers={"X-Setup-Token": token}).raise_for_status()
        http.post("/agtos/api/slots/auto-configure", json={"mode": "cloud", "cloudProvider": "openai",
                                                           "fallbackStrategy": "none"}).raise_for_status()
        http.put("/agtos/api/slots", json={"chat": {"provider": "openai", "model": "gpt-fake"}}).raise_for_status()
        # The paced upstream only streams, so the streamed chat is the one to check.
        answer = http.post("/agtos/api/chat/stream", json={"text": "warm up"}).text
        assert "tok0" in answer, answer[-500:]


def describe(name: str, rate: float, latencies: list[float]) -> str:
    return (f"{name:9s} {rate:8.1f} req/s   first token p50 {percentile(latencies, 50) * 1000:7.2f} ms"
            f"   p95 {percentile(latencies, 95) * 1000:7.2f} ms   ({len(latencies)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=20)
    parser.add_argument("--rate", type=float, default=200.0, help="tokens/s per stream")
    args = parser.parse_args()
    up_port, port = free_port(), free_port()
    upstream = f"http://127.0.0.1:{up_port}/v1"
    data_dir = tempfile.mkdtemp(prefix="agtos-bench-")
    env = {**os.environ, "AGENTDECK_DATA_DIR": data_dir, "AGENTDECK_SURFACES": "agtos",
           "AGENTDECK_LOG_LEVEL": "WARNING", "AGENTDECK_OUTBOUND_ALLOW_PRIVATE": "true",
           "OPENAI_BASE_URL": upstream, "API_RATE_LIMIT": "100000000", "CHAT_RATE_LIMIT": "100000000"}
    env.pop("AGTOS_API_KEY", None)
    procs = [subprocess.Popen([sys.executable, os.path.join(HERE, "paced_upstream.py"), "--port", str(up_port),
                               "--rate", str(args.rate), "--tokens", str(args.tokens)], stdout=subprocess.DEVNULL)]
    try:
        wait_until_up(f"{upstream}/models", procs[0], "the paced upstream")
        procs.append(subprocess.Popen([AGENTDECK, "serve", "--port", str(port), "--workers", "1"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", procs[1], "agentdeck")
        configure(base, upstream)
        direct_body = {"model": "gpt-fake", "stream": True, "messages": [{"role": "user", "content": "hello"}]}
        direct = asyncio.run(phase(f"{upstream}/chat/completions", direct_body, b'"content": " tok', b"[DONE]",
                                   args.seconds, args.concurrency))
        relayed = asyncio.run(phase(f"{base}/agtos/api/chat/stream", {"text": "hello"}, b'"type": "content"',
                                    b'"type": "done"', args.seconds, args.concurrency))
        print(f"{args.concurrency} in flight for {args.seconds:g} s; answers of {args.tokens} tokens at {args.rate:g} tokens/s")
        print(describe("upstream", *direct))
        print(describe("agtOS", *relayed))
        for pct in (50, 95):
            added = percentile(relayed[1], pct) - percentile(direct[1], pct)
            print(f"added first-token latency p{pct}: {added * 1000:.2f} ms")
        print(f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=15)


if __name__ == "__main__":
    main()
