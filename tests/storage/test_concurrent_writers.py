"""Many clients writing at once on the embedded default (SQLite, two worker processes) all
succeed: every surface writes through the one write facility in ``storage.db``."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.servers import agentdeck_serve

WRITERS = 64
ECHO = "bundle:\n  name: echo\nproviders:\n  - module: provider-echo\n"


@pytest.fixture
def two_workers(tmp_path, settings):
    env = {"AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_LOG_LEVEL": "WARNING",
           "AGENTDECK_SURFACES": "amplifier,augmentos", "DATABASE_URL": ""}  # the embedded default
    with agentdeck_serve(2, env, cwd=tmp_path) as url:
        yield url


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
