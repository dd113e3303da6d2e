"""owlette fleet benchmark (not a test): many agents heartbeating and long-polling commands.

Starts ``agentdeck serve`` (``--workers``, owlette only, SQLite in a fresh data directory, or
``DATABASE_URL``) with one admin and one site made by the CLI, enrols ``--agents`` simulated
agents (a registration code and its exchange each, spread over loopback source addresses as
distinct hosts would be), then for ``--seconds``:

- every agent heartbeats every ``--interval`` seconds (start times spread over one interval) and
  keeps one command long-poll open (``wait=20``), answering what it gets at once;
- the dashboard sends ``--commands-per-second`` restart commands to random machines.

The agents run in ``--processes`` generator processes (one Python process saturates near a
thousand agents); each says how much of a core it used, and a starved one is flagged.

Printed: heartbeats per second sustained against the offered rate, heartbeat latency p50/p99,
command delivery latency (the dashboard sends → the agent has it) p50/p99, the server's memory per held
long-poll (its processes' RSS with every poll held, less before any agent started, over the
agents), and the run's conditions. Targets (issue: 2,000 agents, two workers): delivery p99 < 1 s.

    python bench/owlette_fleet.py [--agents 2000] [--workers 2] [--seconds 30] [--interval 5]
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import multiprocessing
import os
import random
import subprocess
import sys
import time

import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conditions import Conditions  # noqa: E402
from owlette_server import EMAIL, PASSWORD, served_owlette  # noqa: E402

ORIGIN = "http://bench.test"
PER_ADDRESS = 50  # exchanges are limited to 60 an hour per client address
POLL_WAIT = 20


def _rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its children (gunicorn workers), in KiB."""
    total, pids = 0, [pid]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{current}/task/{current}/children") as children:
                pids += [int(child) for child in children.read().split()]
        except (OSError, StopIteration):
            continue
    return total


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f}"


async def _enrol(base: str, dashboard: httpx.AsyncClient, count: int) -> dict[str, str]:
    """``count`` agents' access tokens by machine id, each from a registration code."""
    groups = [httpx.AsyncClient(base_url=base, timeout=60,
                                transport=httpx.AsyncHTTPTransport(local_address=f"127.0.{2 + g // 250}.{1 + g % 250}"))
              for g in range(count // PER_ADDRESS + 1)]
    semaphore, tokens = asyncio.Semaphore(64), {}

    async def one(i: int) -> None:
        async with semaphore:
            machine = f"BENCH-{i:05d}"
            code = (await dashboard.post("/api/agent/generate-installer", json={"siteId": "bench-site"})).json()
            answer = await groups[i // PER_ADDRESS].post("/api/agent/auth/exchange", json={
                "registrationCode": code["registrationCode"], "machineId": machine, "version": "2.1.8"})
            answer.raise_for_status()
            tokens[machine] = answer.json()["accessToken"]

    await asyncio.gather(*(one(i) for i in range(count)))
    for client in groups:
        await client.aclose()
    return tokens


class Agents:
    """One generator process's share of the agents: heartbeat loops and command long-polls."""

    def __init__(self, base: str, interval: float, measure_from: float, stop_at: float):
        self.base, self.interval = base, interval
        self.measure_from, self.stop_at = measure_from, stop_at
        self.heartbeats, self.errors = 0, 0
        self.heartbeat_latency: list[float] = []
        self.received: dict[str, float] = {}  # command id -> wall time the agent had it

    def _left(self) -> float:
        return self.stop_at - time.time()

    async def agent(self, client: httpx.AsyncClient, machine: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        await asyncio.sleep(random.uniform(0, self.interval))
        poller = asyncio.create_task(self.poll(client, headers))
        while self._left() > 0:
            started, wall = time.perf_counter(), time.time()
            try:
                response = await client.post("/api/agent/heartbeat", headers=headers, json={
                    "online": True, "version": "2.1.8", "hostname": machine,
                    "metrics": {"cpu": {"percent": random.uniform(5, 60)},
                                "memory": {"used_gb": 4.0, "total_gb": 16.0, "percent": 25.0}}})
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if wall >= self.measure_from:
                self.heartbeats += ok
                self.heartbeat_latency.append(time.perf_counter() - started)
            self.errors += not ok
            await asyncio.sleep(max(0.0, min(self.interval - (time.perf_counter() - started), self._left())))
        poller.cancel()

    async def poll(self, client: httpx.AsyncClient, headers: dict) -> None:
        while self._left() > 0:
            try:
                response = await client.get("/api/agent/commands", headers=headers, params={"wait": POLL_WAIT})
                commands = response.json().get("commands", []) if response.status_code == 200 else []
                self.errors += response.status_code != 200
            except httpx.HTTPError:
                commands, self.errors = [], self.errors + 1
            for command in commands:
                self.received.setdefault(command["id"], time.time())
                await client.post(f"/api/agent/commands/{command['id']}", headers=headers,
                                  json={"status": "completed", "result": {"ok": True}})

    async def run(self, tokens: dict[str, str]) -> dict:
        wall, cpu = time.monotonic(), time.process_time()
        limits = httpx.Limits(max_connections=len(tokens) * 2 + 16, max_keepalive_connections=len(tokens) * 2 + 16)
        async with httpx.AsyncClient(base_url=self.base, timeout=POLL_WAIT + 30, limits=limits) as client:
            await asyncio.gather(*(self.agent(client, m, t) for m, t in tokens.items()), return_exceptions=True)
        return {"heartbeats": self.heartbeats, "latency": self.heartbeat_latency, "received": self.received,
                "errors": self.errors, "cpu_share": (time.process_time() - cpu) / (time.monotonic() - wall)}


def _generate(job) -> dict:
    base, tokens, interval, measure_from, stop_at = job
    return asyncio.run(Agents(base, interval, measure_from, stop_at).run(tokens))


async def _send_commands(dashboard: httpx.AsyncClient, machines: list[str], per_second: float,
                         measure_from: float, stop_at: float) -> dict[str, float]:
    """Restart commands to random machines from ``measure_from`` on; command id -> wall time sent."""
    sent = {}
    await asyncio.sleep(max(0.0, measure_from - time.time()))
    while time.time() < stop_at - POLL_WAIT / 4:
        asked = time.time()
        answer = await dashboard.post("/api/admin/commands/send", json={
            "siteId": "bench-site", "machineId": random.choice(machines), "command": "restart_process",
            "data": {"process_name": "TouchDesigner"}})
        if answer.status_code == 200:
            sent[answer.json()["commandId"]] = asked
        await asyncio.sleep(1 / per_second)
    return sent


async def run(args, base: str, server: subprocess.Popen) -> None:
    conditions = Conditions()
    async with httpx.AsyncClient(base_url=base, timeout=60, headers={"Origin": ORIGIN}) as dashboard:
        (await dashboard.post("/api/auth/session", json={"email": EMAIL, "password": PASSWORD})).raise_for_status()
        started = time.perf_counter()
        tokens = await _enrol(base, dashboard, args.agents)
        print(f"enrolled {len(tokens)} agents in {time.perf_counter() - started:.1f} s")
        rss_idle = _rss_kib(server.pid)
        warm = args.interval + 3  # every agent has started heartbeating and holds a poll
        measure_from = time.time() + warm
        stop_at = measure_from + args.seconds
        items = list(tokens.items())
        shares = [dict(items[n::args.processes]) for n in range(args.processes)]
        loop = asyncio.get_running_loop()
        with concurrent.futures.ProcessPoolExecutor(args.processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            generators = [loop.run_in_executor(pool, _generate, (base, share, args.interval, measure_from, stop_at))
                          for share in shares]
            await asyncio.sleep(warm - 0.5)
            rss_held = _rss_kib(server.pid)
            sent = await _send_commands(dashboard, list(tokens), args.commands_per_second, measure_from, stop_at)
            results = await asyncio.gather(*generators)
    received = {k: v for r in results for k, v in r["received"].items()}
    delivery = [received[c] - t for c, t in sent.items() if c in received]
    heartbeats = sum(r["heartbeats"] for r in results)
    latency = [x for r in results for x in r["latency"]]
    offered = args.agents / args.interval
    generator_cpu = max(r["cpu_share"] for r in results)
    print(f"heartbeats        {heartbeats / args.seconds:8.0f} /s of {offered:.0f} offered "
          f"({heartbeats / args.seconds / offered:.0%}); latency p50 {_ms(latency, .5)} ms p99 {_ms(latency, .99)} ms")
    print(f"command delivery  {len(delivery)} of {len(sent)} delivered; p50 {_ms(delivery, .5)} ms "
          f"p99 {_ms(delivery, .99)} ms (target p99 < 1000 ms)")
    print(f"memory per held long-poll  {(rss_held - rss_idle) / args.agents:.1f} KiB "
          f"({args.agents} held; server RSS {rss_idle / 1024:.0f} → {rss_held / 1024:.0f} MiB)")
    print(f"errors            {sum(r['errors'] for r in results)}")
    print(f"load generators   {args.processes} processes, the busiest at {generator_cpu:.0%} of a core"
          + ("  FLAGGED: starved, their queueing is in these latencies" if generator_cpu > 0.9 else ""))
    print(conditions.summary())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between an agent's heartbeats")
    parser.add_argument("--commands-per-second", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help="load generator processes the agents are spread over")
    args = parser.parse_args()
    with served_owlette(args.workers, "bench-site", {"AGENTDECK_OWLETTE_ORIGIN": ORIGIN,
                                                      "AGENTDECK_OWLETTE_API_RATE_LIMIT": "100000000"}) as (server, base):
        print(f"agentdeck serve --workers {args.workers}, owlette, "
              f"{'PostgreSQL' if os.environ.get('DATABASE_URL', '').startswith('postgres') else 'SQLite'}; "
              f"{args.agents} agents, heartbeat every {args.interval:g} s, {args.commands_per_second:g} commands/s")
        asyncio.run(run(args, base, server))

if __name__ == "__main__":
    main()
