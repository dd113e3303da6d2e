"""The group-commit writer: writes queued together commit together, and one failing write
fails alone."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from agentdeck.augur.group_commit import GroupCommit
from agentdeck.storage.db import is_postgres


def _tenant_writer(slug: str, fail: bool = False):
    from agentdeck.storage.models.augur import AugurTenant

    def write():
        AugurTenant.create(slug=slug, name=slug)
        if fail:
            raise RuntimeError(f"{slug} failed after writing")
        return slug

    return write


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.001)


def test_writes_queued_behind_a_busy_writer_commit_as_one_batch_and_fail_alone(app):
    from agentdeck.storage.models.augur import AugurTenant

    writer, release, results = GroupCommit(), threading.Event(), {}

    def blocker():
        release.wait(5)
        return _tenant_writer("first")()

    def call(name, write):
        try:
            results[name] = writer.run(write)
        except RuntimeError as exc:
            results[name] = exc

    threads = [threading.Thread(target=call, args=("first", blocker))]
    threads[0].start()
    # On SQLite, wait until the writer thread is busy with "first", so the next three queue up.
    _wait_until(lambda: is_postgres() or (writer._writer is not None and not writer._queue
                                          and not writer._writer_waiting))
    for slug, fail in (("b", False), ("c", True), ("d", False)):
        threads.append(threading.Thread(target=call, args=(slug, _tenant_writer(slug, fail))))
        threads[-1].start()
    release.set()
    for thread in threads:
        thread.join(10)
    assert results["first"] == "first" and results["b"] == "b" and results["d"] == "d"
    assert isinstance(results["c"], RuntimeError)
    assert sorted(t.slug for t in AugurTenant.select()) == ["b", "d", "first"]


def test_submit_from_the_event_loop(app):
    from agentdeck.storage.models.augur import AugurTenant

    writer = GroupCommit()

    async def main():
        ok = await asyncio.gather(*(writer.submit(_tenant_writer(f"t{i}")) for i in range(20)))
        with pytest.raises(RuntimeError):
            await writer.submit(_tenant_writer("bad", fail=True))
        return ok

    assert asyncio.run(main()) == [f"t{i}" for i in range(20)]
    assert AugurTenant.select().count() == 20
