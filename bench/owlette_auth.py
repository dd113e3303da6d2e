"""owlette identity benchmark (not a test): sign-ins per second, whether argon2 blocks the event
loop, and API-key-authenticated requests per second against an unauthenticated baseline.

Starts ``agentdeck serve`` (``--workers``, owlette only, SQLite in a fresh data directory) with one
user made by the CLI, then, in the same run:

- **baseline**: ``GET /owlette/api/auth/session`` without a cookie (no credential check), for
  ``--seconds`` at ``--concurrency``;
- **api key**: ``GET /owlette/api/admin/sites`` with ``x-api-key`` (a SHA-256 lookup and the sites
  query), the same way;
- **sign-ins**: ``--signins`` concurrent ``POST /owlette/api/auth/session`` (argon2 verification
  each), while a probe sends the cheap baseline request one at a time: its latency during the
  burst against its latency idle says whether password hashing holds up the event loop.

Sign-ins are limited to 10 a minute per client address, so each sign-in comes from its own
loopback source address (127.0.x.y), as distinct clients would.

    python bench/owlette_auth.py [--workers 1] [--concurrency 32] [--seconds 5] [--signins 100]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from owlette_server import EMAIL, PASSWORD, served_owlette  # noqa: E402



async def _rate(client: httpx.AsyncClient, url: str, headers: dict, concurrency: int, seconds: float) -> tuple[float, int]:
    """Requests per second (and failures) from ``concurrency`` loops over ``seconds``."""
    done, failed = 0, 0
    stop = time.perf_counter() + seconds

    async def loop():
        nonlocal done, failed
        while time.perf_counter() < stop:
            response = await client.get(url, headers=headers)
            done += 1
            failed += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return done / (time.perf_counter() - started), failed


async def _probe(client: httpx.AsyncClient, url: str, until: asyncio.Event) -> list[float]:
    latencies = []
    while not until.is_set():
        started = time.perf_counter()
        await client.get(url)
        latencies.append(time.perf_counter() - started)
    return latencies


def _source(i: int) -> str:
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


async def _sign_in(url: str, i: int) -> int:
    transport = httpx.AsyncHTTPTransport(local_address=_source(i))
    async with httpx.AsyncClient(transport=transport, timeout=60) as client:
        response = await client.post(url, json={"email": EMAIL, "password": PASSWORD})
        return response.status_code


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f}"


async def run(args, base: str) -> None:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=args.concurrency + 4)) as client:
        signed = await client.post(f"{base}/api/auth/session", json={"email": EMAIL, "password": PASSWORD})
        key = (await client.post(f"{base}/api/admin/keys/create", json={"name": "bench"},
                                 cookies=signed.cookies)).json()["key"]
        client.cookies.clear()
        session_url, sites_url = f"{base}/api/auth/session", f"{base}/api/admin/sites"
        await _rate(client, session_url, {}, args.concurrency, 1.0)  # warm up
        baseline, base_failed = await _rate(client, session_url, {}, args.concurrency, args.seconds)
        keyed, key_failed = await _rate(client, sites_url, {"x-api-key": key}, args.concurrency, args.seconds)
        print(f"unauthenticated baseline  {baseline:8.0f} req/s  ({base_failed} failed)")
        print(f"api-key authenticated     {keyed:8.0f} req/s  ({key_failed} failed)  "
              f"= {keyed / baseline:.0%} of the baseline")

        idle_stop = asyncio.Event()
        idle_task = asyncio.create_task(_probe(client, session_url, idle_stop))
        await asyncio.sleep(2)
        idle_stop.set()
        idle = await idle_task
        burst_stop = asyncio.Event()
        probe_task = asyncio.create_task(_probe(client, session_url, burst_stop))
        started = time.perf_counter()
        statuses = await asyncio.gather(*(_sign_in(session_url, i) for i in range(args.signins)))
        elapsed = time.perf_counter() - started
        burst_stop.set()
        during = await probe_task
        ok = sum(status == 200 for status in statuses)
        print(f"sign-ins                  {ok / elapsed:8.1f} /s    ({ok}/{args.signins} ok in {elapsed:.2f} s)")
        print(f"cheap request latency     idle p50 {_ms(idle, .5)} ms p95 {_ms(idle, .95)} ms; "
              f"during sign-ins p50 {_ms(during, .5)} ms p95 {_ms(during, .95)} ms max {_ms(during, 1.0)} ms "
              f"({len(during)} probes)")
        if during and idle:
            print(f"                          median slowdown x{statistics.median(during) / statistics.median(idle):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--signins", type=int, default=100)
    args = parser.parse_args()
    with served_owlette(args.workers, "nyc-office") as (_server, base):
        print(f"agentdeck serve --workers {args.workers}, owlette, SQLite; concurrency {args.concurrency}")
        asyncio.run(run(args, base))

if __name__ == "__main__":
    main()
