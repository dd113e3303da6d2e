"""Augur ingest benchmark (not a test): SDK-like clients streaming steps to a real server.

Starts ``agentdeck serve --workers 2`` (gunicorn, uvicorn workers) on a free loopback port over a
fresh SQLite data directory, mints a DSN with the CLI, then runs N concurrent clients that each
open a run (``POST /runs``) and stream ``PUT /runs/{id}/steps/{i}`` records as fast as the server
answers. The baseline, measured in the same run with the same load, is a bare Starlette app
under the same gunicorn setup doing the same database work per step (find the DSN and its tenant,
find the run, upsert the step row) on the same SQLite setup, with no spec, validation,
security layer or middleware. Prints steps/s, p50/p99 latency and the ratios.

The load generator is a minimal keep-alive HTTP/1.1 client on asyncio streams (one connection
per client), so that the client's own cost stays small next to the server's on a 2-core machine.

    python bench/augur_ingest.py [--clients 1,8,32] [--seconds 10] [--workers 2]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from conditions import Conditions

HERE = os.path.dirname(os.path.abspath(__file__))
AGENTDECK = os.path.join(os.path.dirname(sys.executable), "agentdeck")


class _BaselineRows:
    """The rows a streamed step writes, written with the same models, on the same database."""

    def __init__(self):
        from agentdeck.security.tokens import hash_token
        from agentdeck.settings import get_settings
        from agentdeck.storage.db import init_db
        from agentdeck.storage.models.augur import AugurDsn, AugurRun, AugurStep, AugurTenant
        from agentdeck.timeutil import utcnow

        init_db(get_settings().resolved_database_url)
        self.hash_token, self.utcnow = hash_token, utcnow
        self.Dsn, self.Run, self.Step, self.Tenant = AugurDsn, AugurRun, AugurStep, AugurTenant

    def tenant_of(self, authorization: str) -> str | None:
        """The tenant of the bearer key (the DSN joined with its tenant, as agentdeck does)."""
        key = authorization.removeprefix("Bearer ")
        row = (self.Dsn.select(self.Dsn.tenant.alias("tenant_id"), self.Tenant.modelio_capture)
               .join(self.Tenant).where(self.Dsn.key_hash == self.hash_token(key)).dicts().first())
        return row["tenant_id"] if row else None

    def open_run(self, authorization: str, manifest: dict) -> None:
        """Insert (or replace) the run row."""
        row = {"tenant": self.tenant_of(authorization), "run_id": manifest["run_id"], "manifest": manifest}
        (self.Run.insert(row)
         .on_conflict(conflict_target=[self.Run.tenant, self.Run.run_id], preserve=[self.Run.manifest])
         .execute())

    def put_step(self, authorization: str, run_id: str, index: int, step: dict) -> None:
        """Find the run, upsert the step row."""
        tenant_id = self.tenant_of(authorization)
        pk = (self.Run.select(self.Run.id)
              .where((self.Run.tenant == tenant_id) & (self.Run.run_id == run_id)).scalar())
        (self.Step.insert(run=pk, step_index=index, document=step, updated_at=self.utcnow())
         .on_conflict(conflict_target=[self.Step.run, self.Step.step_index],
                      preserve=[self.Step.document, self.Step.updated_at]).execute())


def baseline_app():
    """A bare Starlette app writing the same rows for ``PUT .../steps/{i}`` and ``POST /runs``."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    rows = _BaselineRows()

    async def runs(request):
        manifest = await request.json()
        await run_in_threadpool(rows.open_run, request.headers.get("authorization", ""), manifest)
        return JSONResponse({"run_id": manifest["run_id"], "created": True}, status_code=201)

    async def steps(request):
        step = await request.json()
        run_id, index = request.path_params["run_id"], request.path_params["index"]
        await run_in_threadpool(rows.put_step, request.headers.get("authorization", ""), run_id, index, step)
        return JSONResponse({"run_id": run_id, "stored": f"steps/{index:04d}.json"})

    return Starlette(routes=[Route("/augur/api/v1/runs", runs, methods=["POST"]),
                             Route("/augur/api/v1/runs/{run_id}/steps/{index:int}", steps, methods=["PUT"])])


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(data_dir: str) -> tuple[dict, str]:
    """Environment for a server on ``data_dir``, migrated, with a DSN minted by the CLI."""
    env = {**os.environ, "AGENTDECK_DATA_DIR": data_dir, "AGENTDECK_SURFACES": "augur",
           "AGENTDECK_LOG_LEVEL": "WARNING", "PYTHONPATH": HERE}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([AGENTDECK, "augur", "dsn-issue", "--tenant", "bench",
                          "--label", "bench", "--json"], env=env, check=True, capture_output=True, text=True)
    return env, json.loads(out.stdout)["api_key"]


def _start(kind: str, port: int, env: dict, workers: int) -> subprocess.Popen:
    if kind == "agentdeck":
        cmd = [AGENTDECK, "serve", "--workers", str(workers), "--port", str(port)]
    else:
        cmd = [sys.executable, "-m", "gunicorn", "augur_ingest:baseline_app()", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", "uvicorn.workers.UvicornWorker",
               "--log-level", "warning"]
    log = open(os.path.join(env["AGENTDECK_DATA_DIR"], f"{kind}.log"), "wb")
    proc = subprocess.Popen(cmd, env=env, cwd=HERE, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(1.0)  # let every worker finish booting
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start; see {log.name}")


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read the whole response."""

    def __init__(self, port: int, api_key: str):
        self.port, self.auth = port, f"Bearer {api_key}"

    async def open(self):
        """Connect to the server."""
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: bytes) -> int:
        """Send one JSON request; returns the status code."""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {self.auth}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self):
        """Close the connection."""
        self.writer.close()


def _cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [root_pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == root_pid:
                pids.append(int(entry))
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue
    return total


def _step(index: int) -> bytes:
    return json.dumps({"step_index": index, "action": {"type": "click", "params": {"x": 412, "y": 96}},
                       "grounding": {"provenance": "screenshot", "confidence": 0.93},
                       "observation": {"pre": f"screenshots/{index:04d}_pre.png",
                                       "post": f"screenshots/{index:04d}_post.png"},
                       "started_at": "2026-01-05T10:00:00Z", "ended_at": "2026-01-05T10:00:01Z",
                       "verdict": "ok",
                       "reasoning": "The submit button is visible; clicking it. " * 3}).encode()


async def _open_client(n: int, port: int, api_key: str) -> tuple[Connection, str]:
    """Connect and open a run, as an SDK process does when it starts."""
    conn = Connection(port, api_key)
    await conn.open()
    run_id = f"bench-{port}-{n}"
    manifest = {"run_id": run_id, "client_name": "bench"}
    await conn.request("POST", "/augur/api/v1/runs", json.dumps(manifest).encode())
    return conn, run_id


async def _stream(conn: Connection, run_id: str, stop_at: float, warm_until: float, latencies: list,
                  errors: list) -> None:
    index = 0
    while (now := time.perf_counter()) < stop_at:
        status = await conn.request("PUT", f"/augur/api/v1/runs/{run_id}/steps/{index}", _step(index))
        elapsed = time.perf_counter() - now
        if status != 200:
            errors.append(status)
        elif now >= warm_until:
            latencies.append(elapsed)
        index += 1
    conn.close()


async def _load(port: int, api_key: str, clients: int, seconds: float, warmup: float,
                server_pid: int, burst: bool = False) -> dict:
    # SDK processes start one after another; connecting all clients in one burst instead lets the
    # first worker to wake accept most of them for the whole run (see docs/bench/augur.md).
    if burst:
        opened = await asyncio.gather(*(_open_client(n, port, api_key) for n in range(clients)))
    else:
        opened = [await _open_client(n, port, api_key) for n in range(clients)]
    latencies, errors = [], []
    start = time.perf_counter()
    warm_until, stop_at = start + warmup, start + warmup + seconds

    async def cpu_at_warm_end():
        await asyncio.sleep(warmup)
        return _cpu_seconds(server_pid)

    cpu_task = asyncio.create_task(cpu_at_warm_end())
    client_cpu = time.process_time()
    await asyncio.gather(*(_stream(conn, run_id, stop_at, warm_until, latencies, errors)
                           for conn, run_id in opened))
    cpu = _cpu_seconds(server_pid) - await cpu_task
    client_cpu = time.process_time() - client_cpu
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"steps_per_s": len(latencies) / seconds, "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000,
            "errors": len(errors), "cpu_ms_per_step": cpu * 1000 / max(len(latencies), 1),
            "client_cpu_ms_per_step": client_cpu * 1000 / max(len(latencies), 1)}


def _measure(kind: str, clients_list: list[int], seconds: float, workers: int,
             burst: bool) -> dict[int, dict]:
    data_dir = tempfile.mkdtemp(prefix=f"augur-bench-{kind}-")
    try:
        env, api_key = _prepare(data_dir)
        port = _port()
        proc = _start(kind, port, env, workers)
        try:
            return {n: asyncio.run(_load(port, api_key, n, seconds, 1.0, proc.pid, burst))
                    for n in clients_list}
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _print_table(results: dict, clients_list: list[int], args) -> None:
    print(f"PUT /runs/{{id}}/steps/{{i}}, {args.workers} workers, SQLite, {os.cpu_count()} CPUs, "
          f"{args.seconds:g} s per row, connections opened "
          f"{'in one burst' if args.burst else 'one after another'}")
    print("steps/s: steps answered 200 per second; p50/p99: latency of one PUT; cpu: server CPU ms per step")
    print(f"{'clients':>7} | {'agentdeck steps/s':>17} {'p50 ms':>7} {'p99 ms':>7} {'cpu':>5} | "
          f"{'baseline steps/s':>16} {'p50 ms':>7} {'p99 ms':>7} {'cpu':>5} | {'ratio':>5} | errors")
    for n in clients_list:
        a, b = results["agentdeck"][n], results["baseline"][n]
        print(f"{n:>7} | {a['steps_per_s']:>17.0f} {a['p50_ms']:>7.1f} {a['p99_ms']:>7.1f} "
              f"{a['cpu_ms_per_step']:>5.2f} | {b['steps_per_s']:>16.0f} {b['p50_ms']:>7.1f} "
              f"{b['p99_ms']:>7.1f} {b['cpu_ms_per_step']:>5.2f} | "
              f"{a['steps_per_s'] / max(b['steps_per_s'], 1e-9):>5.2f} | {a['errors']}/{b['errors']}")
    client_cpu = [r["client_cpu_ms_per_step"] for kind in results.values() for r in kind.values()]
    print(f"load generator: {max(client_cpu):.2f} ms CPU per step at most")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1,8,32", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per client count")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--burst", action="store_true",
                        help="open every client's connection at once instead of one after another")
    args = parser.parse_args()
    clients_list = [int(c) for c in args.clients.split(",")]
    conditions = Conditions()
    results = {kind: _measure(kind, clients_list, args.seconds, args.workers, args.burst)
               for kind in ("agentdeck", "baseline")}
    _print_table(results, clients_list, args)
    print(conditions.summary())


if __name__ == "__main__":
    main()
