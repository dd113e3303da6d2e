"""Wake-ups across workers: the readers of one channel in a process share one listening
connection (PostgreSQL), a notification wakes only the readers that want it, and readers carry
on by polling when that connection breaks. On SQLite, readers poll."""
from __future__ import annotations

import asyncio

import pytest

from agentdeck.eventbus import wakeups
from agentdeck.storage.db import database, is_postgres, writing

CHANNEL = "agentdeck_test_wakeups"


def _listening_connections() -> int:
    cursor = database.execute_sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = %s",
        (f"LISTEN {CHANNEL}",))
    return cursor.fetchone()[0]


def _notify(payload: str) -> None:
    with writing():
        wakeups.notify(CHANNEL, payload)


async def _woken(wakeup: wakeups.Wakeup, within: float) -> bool:
    try:
        await asyncio.wait_for(wakeup._woken.wait(), within)
        return True
    except asyncio.TimeoutError:
        return False


def test_many_readers_share_one_listening_connection_and_wake_only_when_wanted(db):
    if not is_postgres():
        pytest.skip("notifications are PostgreSQL's; SQLite readers poll (next test)")

    async def scenario():
        readers = [wakeups.Wakeup(CHANNEL, lambda p, i=i: p == f"r{i}") for i in range(50)]
        for reader in readers:
            await reader.__aenter__()
        assert all(r.listening for r in readers)
        connections = await asyncio.to_thread(_listening_connections)
        await asyncio.to_thread(_notify, "r7")
        woken = [await _woken(readers[7], 5)] + [readers[i]._woken.is_set() for i in (0, 8, 49)]
        for reader in readers:
            await reader.__aexit__(None, None, None)
        # The server ends a closed connection's backend a moment later: look for up to 5 s.
        for _ in range(50):
            after = await asyncio.to_thread(_listening_connections)
            if after == 0:
                break
            await asyncio.sleep(0.1)
        return connections, woken, after

    connections, woken, after = asyncio.run(scenario())
    assert connections == 1
    assert woken == [True, False, False, False]
    assert after == 0  # the last reader out closes it


def test_readers_poll_when_the_listening_connection_breaks(db):
    if not is_postgres():
        pytest.skip("PostgreSQL only")

    async def scenario():
        async with wakeups.Wakeup(CHANNEL) as first, wakeups.Wakeup(CHANNEL) as second:
            first._listener.connection.close()  # as when the server drops it
            first._listener._on_notify()
            lost = (first.listening, second.listening, first._woken.is_set(), second._woken.is_set())
            await first.wait(timeout=1)  # a short poll now, not the slow one
            async with wakeups.Wakeup(CHANNEL) as third:  # a new reader listens again
                return lost, third.listening

    lost, relistening = asyncio.run(scenario())
    assert lost == (False, False, True, True)
    assert relistening is True


def test_on_sqlite_readers_poll(db):
    if is_postgres():
        pytest.skip("SQLite only")

    async def scenario():
        async with wakeups.Wakeup(CHANNEL, sqlite_poll=0.05) as reader:
            loop = asyncio.get_running_loop()
            started = loop.time()
            await reader.wait()
            return reader.listening, loop.time() - started

    listening, waited = asyncio.run(scenario())
    assert listening is False and waited < 1
