"""Many clients writing at once on the embedded default (SQLite, two worker processes) all
succeed: every surface writes through the one write facility in ``storage.db``."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.postgres import free_port

AGENTDECK = str(Path(sys.executable).parent / "agentdeck")
WRITERS = 64
ECHO = "bundle:\n  name: echo\nproviders:\n  - module: provider-echo\n"


@pytest.fixture
def two_workers(tmp_path, settings):
    port = free_port()
    env = {**os.environ, "AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_LOG_LEVEL": "WARNING",
           "AGENTDECK_SURFACES": "amplifier,augmentos"}
    env.pop("DATABASE_URL", None)  # the embedded default, whatever the suite's backend
    server = subprocess.Popen([AGENTDECK, "serve", "--port", str(port), "--workers", "2"], env=env,
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)


async def test_concurrent_config_updates_and_session_writes_all_succeed(two_workers):
    limits = httpx.Limits(max_connections=WRITERS)
    async with httpx.AsyncClient(base_url=f"{two_workers}/amplifier", timeout=60, limits=limits) as client:
        configs = [(await client.post("/configs", json={"name": f"c{i}", "yaml_content": ECHO})).json()["config_id"]
                   for i in range(8)]

        async def writer(n: int):
            statuses = []
            for round_ in range(5):
                config_id = configs[(n + round_) % len(configs)]
                put = await client.put(f"/configs/{config_id}", json={"description": f"{n}-{round_}",
                                                                     "tags": {"w": str(n)}})
                statuses.append(put.status_code)
                made = await client.post("/sessions", json={"config_id": config_id})
                statuses.append(made.status_code)
            return statuses

        results = await asyncio.gather(*[writer(n) for n in range(WRITERS)])
    failures = [s for statuses in results for s in statuses if s >= 300]
    assert failures == [], f"{len(failures)} of {WRITERS * 10} writes failed: {sorted(set(failures))}"
