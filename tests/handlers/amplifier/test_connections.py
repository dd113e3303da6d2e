"""Handlers give their database connection back to the pool, so a small pool serves many
concurrent requests (and worker threads that exit do not take connections with them)."""
import asyncio

import pytest

from tests.handlers.amplifier.live import async_client


@pytest.fixture
def small_pool(settings, monkeypatch):
    monkeypatch.setenv("AGENTDECK_DB_MAX_CONNECTIONS", "4")


async def test_a_small_pool_serves_many_concurrent_requests(small_pool, live_server):
    async with async_client(live_server) as client:
        answers = await asyncio.gather(*[client.get("/configs") for _ in range(40)],
                                       *[client.get("/health") for _ in range(40)])
    assert {a.status_code for a in answers} == {200}
    from agentdeck.storage.db import database

    assert len(database.obj._in_use) <= 1  # only the connection of a thread still in a request
