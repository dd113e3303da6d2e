"""Amplifier configs benchmark (not a test): agentdeck against the upstream's own stack, same run.

The upstream Amplifier App API is FastAPI + asyncpg. ``upstream_app`` below is that equivalent
for the three config routes measured: pydantic models with the spec's ``ConfigCreate`` rules
(name 1-200 characters, description at most 10,000, yaml_content at most 1,000,000, tags a map
of strings), the YAML parsed safely and required to be a mapping with ``bundle.name`` (with
libyaml's loader, as agentdeck uses, so that the comparison is of the stacks and not of two YAML
parsers), an asyncpg pool, and the same response bodies. Its table, ``upstream_config``, is a
copy of agentdeck's ``amplifier_config`` (same columns, types and index); agentdeck also seals
each YAML with the server key, which the upstream does not.

``ceiling_app`` is the bare-Starlette ceiling: the same peewee read and write agentdeck does
(``agentdeck.amplifier.configs``) behind a thread hop, without specs, validation or middleware.

On one throwaway PostgreSQL server (``tests/support/postgres.py``), and then on agentdeck's
embedded SQLite default (no FastAPI there: asyncpg is PostgreSQL only), each server is started
with 1 and then 2 workers (``agentdeck serve --workers N``; uvicorn ``--workers N`` for the
others), all of one worker count side by side, and wrk loads ``GET /configs/{id}``,
``GET /configs`` (20 configs) and ``POST /configs`` (a Lua script) in turn, the servers' order
rotating each round. Rows a POST run added are deleted before the next run. Printed: the median
over the rounds of req/s, p50 and p99 latency, the ratios, and the run's conditions.

    pip install -e '.[bench]'
    python bench/amplifier_upstream_style.py [--seconds 5] [--connections 32] [--rounds 2]
                                             [--workers 1,2] [--backends postgres,sqlite]
"""

# No "from __future__ import annotations": FastAPI reads the route functions' annotations at run
# time, and would not resolve the models defined inside upstream_app() from strings.
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

from conditions import Conditions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
AGENTDECK = os.path.join(os.path.dirname(sys.executable), "agentdeck")
SEED = 20
YAML = ("bundle:\n  name: dev-bundle\n  version: 1.0.0\n\nincludes:\n  - bundle: foundation\n\n"
        "providers:\n  - module: provider-anthropic\n    config:\n      api_key: ${ANTHROPIC_API_KEY}\n"
        "      model: claude-sonnet-4-5\n\nsession:\n  orchestrator: loop-basic\n  context: context-simple\n")
CREATE = {"name": "my-config", "description": "Development configuration", "yaml_content": YAML,
          "tags": {"env": "dev"}}
UPSTREAM_TABLE = "upstream_config"


# -- the upstream-style equivalent: FastAPI + asyncpg ------------------------------------------

def upstream_app():
    """FastAPI + asyncpg serving the config routes as the upstream does (``BENCH_UPSTREAM_DSN``)."""
    import uuid
    from contextlib import asynccontextmanager
    from datetime import datetime, timezone
    from typing import Optional

    import asyncpg
    import yaml
    from fastapi import FastAPI, HTTPException, Query
    from pydantic import BaseModel, Field

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class ConfigCreate(BaseModel):
        name: str = Field(min_length=1, max_length=200)
        description: Optional[str] = Field(default=None, max_length=10000)
        yaml_content: str = Field(max_length=1_000_000)
        tags: Optional[dict[str, str]] = None

    class ConfigSummary(BaseModel):
        config_id: str
        name: str
        description: Optional[str]
        created_at: str
        updated_at: str
        tags: dict[str, str]

    class Config(ConfigSummary):
        yaml_content: str
        message: Optional[str] = None

    class ConfigList(BaseModel):
        configs: list[ConfigSummary]
        total: int

    def iso(dt: datetime) -> str:
        return dt.isoformat(timespec="milliseconds") + "Z"

    def summary(row) -> dict:
        return {"config_id": row["id"], "name": row["name"], "description": row["description"],
                "created_at": iso(row["created_at"]), "updated_at": iso(row["updated_at"]),
                "tags": json.loads(row["tags"]) if row["tags"] else {}}

    def check_bundle(text: str) -> None:
        try:
            data = yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            raise HTTPException(400, f"Invalid YAML syntax: {exc}") from None
        if not isinstance(data, dict):
            raise HTTPException(400, "YAML content must be a mapping (dictionary)")
        bundle = data.get("bundle")
        if not isinstance(bundle, dict) or not str(bundle.get("name") or "").strip():
            raise HTTPException(400, "Config must have a 'bundle' section with a 'name' (bundle.name is required)")

    @asynccontextmanager
    async def lifespan(app):
        app.state.pool = await asyncpg.create_pool(os.environ["BENCH_UPSTREAM_DSN"], min_size=2, max_size=20)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)
    columns = "id, name, description, yaml_content, tags, created_at, updated_at"

    @app.post("/amplifier/configs", status_code=201, response_model=Config,
              response_model_exclude_unset=True)
    async def create_config(body: ConfigCreate):
        check_bundle(body.yaml_content)
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        row = await app.state.pool.fetchrow(
            f"INSERT INTO {UPSTREAM_TABLE} ({columns}) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {columns}",
            str(uuid.uuid4()), body.name, body.description, body.yaml_content,
            json.dumps(body.tags or {}, separators=(",", ":")), now)
        return {**summary(row), "yaml_content": row["yaml_content"], "message": "Config created successfully"}

    @app.get("/amplifier/configs", response_model=ConfigList)
    async def list_configs(limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0, le=2147483647)):
        async with app.state.pool.acquire() as conn:
            rows = await conn.fetch(f"SELECT {columns} FROM {UPSTREAM_TABLE} ORDER BY created_at DESC, id "
                                    "LIMIT $1 OFFSET $2", limit, offset)
            total = await conn.fetchval(f"SELECT count(*) FROM {UPSTREAM_TABLE}")
        return {"configs": [summary(r) for r in rows], "total": total}

    @app.get("/amplifier/configs/{config_id}", response_model=Config, response_model_exclude_unset=True)
    async def get_config(config_id: str):
        row = await app.state.pool.fetchrow(f"SELECT {columns} FROM {UPSTREAM_TABLE} WHERE id = $1", config_id)
        if row is None:
            raise HTTPException(404, "Config not found")
        return {**summary(row), "yaml_content": row["yaml_content"]}

    @app.get("/amplifier/health")
    async def health():
        return {"status": "healthy"}

    return app


# -- the ceiling: bare Starlette doing agentdeck's own peewee work -----------------------------

def ceiling_app():
    """Bare Starlette calling ``agentdeck.amplifier.configs`` in a thread, nothing else."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from agentdeck.amplifier import configs
    from agentdeck.errors import DomainError
    from agentdeck.settings import get_settings
    from agentdeck.storage.db import init_db

    init_db(get_settings().resolved_database_url)

    async def one(request):
        config_id = request.path_params["config_id"]
        return JSONResponse(await run_in_threadpool(lambda: configs.config_detail(configs.get_config(config_id))))

    async def page(request):
        def read():
            rows, total = configs.list_configs(50, 0)
            return {"configs": [configs.config_summary(c) for c in rows], "total": total}
        return JSONResponse(await run_in_threadpool(read))

    async def create(request):
        body = await request.json()
        config = await run_in_threadpool(configs.create_config, body["name"], body["yaml_content"],
                                         body.get("description"), body.get("tags"))
        return JSONResponse(configs.config_detail(config, "Config created successfully"), status_code=201)

    async def health(request):
        return JSONResponse({"status": "healthy"})

    async def refused(request, exc: DomainError):
        return JSONResponse({"detail": exc.message}, status_code=exc.status)

    return Starlette(routes=[Route("/amplifier/configs/{config_id}", one), Route("/amplifier/configs", page),
                             Route("/amplifier/configs", create, methods=["POST"]),
                             Route("/amplifier/health", health)], exception_handlers={DomainError: refused})


# -- running the servers ------------------------------------------------------------------------

def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(kind: str, workers: int, env: dict) -> tuple[subprocess.Popen, int]:
    port = _port()
    if kind == "agentdeck":
        cmd = [AGENTDECK, "serve", "--port", str(port), "--workers", str(workers)]
    else:
        factory = "amplifier_upstream_style:" + ("upstream_app" if kind == "fastapi" else "ceiling_app")
        cmd = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port), "--workers",
               str(workers), "--log-level", "warning", "--no-access-log"]
    log = open(os.path.join(env["AGENTDECK_DATA_DIR"], f"{kind}.log"), "ab")
    proc = subprocess.Popen(cmd, env=env, cwd=HERE, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/amplifier/health", timeout=1).raise_for_status()
            time.sleep(1.0)  # let every worker finish booting
            return proc, port
        except (httpx.TransportError, httpx.HTTPStatusError):
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{kind} did not start; see {log.name}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _seed(port: int) -> list[str]:
    """``SEED`` configs created through the server's own API; their ids."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        ids = []
        for i in range(SEED):
            response = client.post("/amplifier/configs", json={**CREATE, "name": f"config-{i}"})
            response.raise_for_status()
            ids.append(response.json()["config_id"])
        assert client.get(f"/amplifier/configs/{ids[0]}").json()["yaml_content"] == YAML
        return ids


def _same_bodies(servers: dict, seeds: dict) -> None:
    """Every server answers each route with the same fields as agentdeck (values differ: ids, times)."""
    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        return [shape(v) for v in value[:1]] if isinstance(value, list) else type(value).__name__

    shapes = {}
    for kind, (_, port) in servers.items():
        config_id = seeds[UPSTREAM_TABLE if kind == "fastapi" else "amplifier_config"][0]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/amplifier") as client:
            shapes[kind] = [shape(client.get(f"/configs/{config_id}").json()), shape(client.get("/configs").json()),
                            shape(client.get("/configs/no-such-config").json())]
    for kind, found in shapes.items():
        if found != shapes["agentdeck"]:
            raise SystemExit(f"{kind} answers differently from agentdeck: {found} != {shapes['agentdeck']}")


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(url: str, seconds: int, connections: int, script: str | None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    latency = {p: float(v) * _SCALE[u] for p, v, u in _LATENCY.findall(out)}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": latency.get("50", float("nan")), "p99": latency.get("99", float("nan")),
            "bad": int(bad.group(1)) if bad else 0, "socket_errors": errors.group(1) if errors else ""}


def _post_script(directory: str) -> str:
    path = os.path.join(directory, "post_config.lua")
    with open(path, "w") as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(CREATE))}\n'
                     'wrk.headers["Content-Type"] = "application/json"\n')
    return path


class Tables:
    """Deletes the rows a POST run added, so that every list run reads the same 20 configs."""

    def __init__(self, url: str, seeds: dict[str, list[str]]):
        self.url, self.seeds = url, seeds

    def prune(self) -> None:
        if self.url.startswith("postgresql"):
            import psycopg2
            conn = psycopg2.connect(self.url)
            mark = "%s"
        else:
            import sqlite3
            conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            mark = "?"
        with conn:
            for table, ids in self.seeds.items():
                conn.cursor().execute(f"DELETE FROM {table} WHERE id NOT IN ({', '.join([mark] * len(ids))})", ids)
        conn.close()


def _copy_table(url: str) -> None:
    import psycopg2
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {UPSTREAM_TABLE} (LIKE amplifier_config INCLUDING ALL)")
    conn.close()


def measure(backend: str, url: str, workers: int, args, env: dict, script: str) -> dict:
    """Every server of ``backend`` with ``workers`` workers, each route ``args.rounds`` times."""
    kinds = ["agentdeck", "fastapi", "ceiling"] if backend == "postgres" else ["agentdeck", "ceiling"]
    env = {**env, "DATABASE_URL": url if backend == "postgres" else "", "BENCH_UPSTREAM_DSN": url}
    servers = {}
    try:
        for kind in kinds:
            servers[kind] = _start(kind, workers, env)
        seeds = {"amplifier_config": _seed(servers["agentdeck"][1])}
        if "fastapi" in servers:
            seeds[UPSTREAM_TABLE] = _seed(servers["fastapi"][1])
        _same_bodies(servers, seeds)
        tables = Tables(url, seeds)
        samples: dict = {}
        for round_ in range(args.rounds):
            order = kinds[round_ % len(kinds):] + kinds[:round_ % len(kinds)]
            for route in ("GET /configs/{id}", "GET /configs", "POST /configs"):
                for kind in order:
                    table = UPSTREAM_TABLE if kind == "fastapi" else "amplifier_config"
                    path = {"GET /configs/{id}": f"/amplifier/configs/{seeds[table][0]}"}.get(route, "/amplifier/configs")
                    result = _wrk(f"http://127.0.0.1:{servers[kind][1]}{path}", args.seconds, args.connections,
                                  script if route.startswith("POST") else None)
                    samples.setdefault((route, kind), []).append(result)
                    if route.startswith("POST"):
                        tables.prune()
        return samples
    finally:
        for proc, _ in servers.values():
            _stop(proc)


def report(title: str, samples: dict) -> None:
    """One table: median req/s, p50 and p99 per route and server, and agentdeck's ratios."""
    kinds = [k for k in ("agentdeck", "fastapi", "ceiling") if any(key[1] == k for key in samples)]
    print(f"\n{title}")
    header = f"{'route':<20}" + "".join(f"{k + ' req/s':>17}{'p50/p99 ms':>15}" for k in kinds)
    print(header + "".join(f"{'/' + k:>11}" for k in kinds[1:]))
    for route in ("GET /configs/{id}", "GET /configs", "POST /configs"):
        med = {k: {m: statistics.median(r[m] for r in samples[(route, k)]) for m in ("rps", "p50", "p99")}
               for k in kinds}
        line = f"{route:<20}" + "".join(f"{med[k]['rps']:>17.0f}{med[k]['p50']:>8.1f}/{med[k]['p99']:<6.1f}"
                                        for k in kinds)
        print(line + "".join(f"{med['agentdeck']['rps'] / med[k]['rps']:>11.2f}" for k in kinds[1:]))
        for k in kinds:
            bad = sum(r["bad"] for r in samples[(route, k)])
            errors = [r["socket_errors"] for r in samples[(route, k)] if r["socket_errors"]]
            if bad or errors:
                print(f"  {k}: {bad} non-2xx responses; socket errors: {'; '.join(errors) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--backends", default="postgres,sqlite")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    sys.path.insert(0, ROOT)
    from tests.support.postgres import start_cluster

    conditions = Conditions()
    backends = args.backends.split(",")
    cluster = start_cluster() if "postgres" in backends else None
    try:
        for backend in backends:
            for workers in (int(w) for w in args.workers.split(",")):
                data = tempfile.mkdtemp(prefix="agentdeck-bench-")
                env = {**os.environ, "AGENTDECK_DATA_DIR": data, "AGENTDECK_SURFACES": "amplifier",
                       "AGENTDECK_LOG_LEVEL": "WARNING", "AGENTDECK_MAINTENANCE_INTERVAL": "0",
                       "PYTHONPATH": HERE + os.pathsep + os.environ.get("PYTHONPATH", "")}
                if backend == "postgres":
                    url = cluster.new_database()
                    subprocess.run([AGENTDECK, "db", "upgrade"], env={**env, "DATABASE_URL": url}, check=True,
                                   capture_output=True)
                    _copy_table(url)
                else:
                    url = f"sqlite:///{os.path.join(data, 'agentdeck.db')}"
                samples = measure(backend, url, workers, args, env, _post_script(data))
                report(f"{backend}, {workers} worker{'s' if workers > 1 else ''}, {args.connections} connections, "
                       f"{args.seconds} s x {args.rounds} rounds (median)", samples)
                shutil.rmtree(data, ignore_errors=True)
    finally:
        if cluster:
            cluster.stop()
    print(conditions.summary(generator_in_process=False))


if __name__ == "__main__":
    main()
