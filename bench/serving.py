"""Serving-stack benchmark (not a test): agentdeck against a bare Starlette baseline, same run.

Three requests per server: a trivial GET, a database read (the AugmentOS public app list with 20
apps) and a validated POST that writes a row (an error report). Both servers run one uvicorn
worker on loopback over the same SQLite setup (WAL, pooled peewee); load comes from wrk when it
is installed (``apt-get install wrk``), else from an httpx client. Prints req/s and the ratio.

    python bench/serving.py [--seconds 5] [--connections 32]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import httpx

from conditions import Conditions

HERE = os.path.dirname(os.path.abspath(__file__))


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def baseline_app():
    """A bare Starlette app doing the same work without specs, validation or middleware."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from starlette.concurrency import run_in_threadpool

    from agentdeck.augmentos.apps import app_document
    from agentdeck.settings import get_settings
    from agentdeck.storage.db import init_db
    from agentdeck.storage.models.augmentos import App, ErrorReport

    init_db(get_settings().resolved_database_url)

    async def health(request):
        return JSONResponse({"status": "ok"})

    async def apps(request):
        rows = await run_in_threadpool(lambda: [app_document(a) for a in App.select().where(App.app_store_status == "PUBLISHED")])
        return JSONResponse({"success": True, "data": rows})

    async def report(request):
        body = await request.json()
        await run_in_threadpool(ErrorReport.create, report=body)
        return JSONResponse({"success": True})

    return Starlette(routes=[Route("/augmentos/health", health), Route("/augmentos/api/apps/public", apps),
                             Route("/augmentos/api/error-report", report, methods=["POST"])])


def _start(kind: str, port: int, env: dict) -> subprocess.Popen:
    target = "agentdeck.asgi:app" if kind == "agentdeck" else "serving:baseline_app"
    cmd = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--log-level", "warning",
           "--no-access-log"]
    if kind != "agentdeck":
        cmd.insert(-5, "--factory")
    proc = subprocess.Popen(cmd, env=env, cwd=HERE)
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/augmentos/health")
            return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


def _load(url: str, seconds: int, connections: int, body: dict | None) -> float:
    if shutil.which("wrk"):
        cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
        if body is not None:
            script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
            script.write(f'wrk.method="POST"\nwrk.body={json.dumps(json.dumps(body))}\n'
                         'wrk.headers["Content-Type"]="application/json"\n')
            script.close()
            cmd[1:1] = ["-s", script.name]
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return _load_httpx(url, seconds, connections, body)


def _load_httpx(url, seconds, connections, body) -> float:
    import asyncio

    async def worker(client, deadline, counter):
        while time.monotonic() < deadline:
            await (client.post(url, json=body) if body is not None else client.get(url))
            counter[0] += 1

    async def run():
        counter = [0]
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(worker(client, deadline, counter) for _ in range(connections)))
        return counter[0] / seconds

    return asyncio.run(run())


def _seed(env: dict) -> None:
    code = ("from agentdeck.app import prepare_storage; from agentdeck.settings import get_settings;"
            "from agentdeck.augmentos import apps; prepare_storage(get_settings());"
            "[apps.create_app(f'com.bench.app{i}', f'App {i}', description='bench') for i in range(20)];"
            "[apps.set_store_status(f'com.bench.app{i}', 'PUBLISHED') for i in range(20)]")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    conditions = Conditions()
    data = tempfile.mkdtemp(prefix="agentdeck-bench-")
    env = {**os.environ, "AGENTDECK_DATA_DIR": data, "AGENTDECK_SURFACES": "augmentos",
           "AGENTDECK_LOG_LEVEL": "WARNING", "AGENTDECK_MAINTENANCE_INTERVAL": "0",
           "PYTHONPATH": HERE + os.pathsep + os.environ.get("PYTHONPATH", "")}
    _seed(env)
    cases = [("trivial GET", "/augmentos/health", None), ("DB read", "/augmentos/api/apps/public", None),
             ("validated POST + write", "/augmentos/api/error-report", {"component": "bench", "errorMessage": "x"})]
    results = {}
    for kind in ("baseline", "agentdeck"):
        port = _port()
        proc = _start(kind, port, env)
        try:
            for name, path, body in cases:
                results[(kind, name)] = _load(f"http://127.0.0.1:{port}{path}", args.seconds, args.connections, body)
        finally:
            proc.terminate()
            proc.wait()
    print(f"{'request':<24}{'baseline req/s':>16}{'agentdeck req/s':>17}{'ratio':>8}")
    for name, _, _ in cases:
        base, ours = results[("baseline", name)], results[("agentdeck", name)]
        print(f"{name:<24}{base:>16.0f}{ours:>17.0f}{ours / base:>8.2f}")
    print(conditions.summary(generator_in_process=shutil.which("wrk") is None))
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
