"""Two server processes on one database (the suite's: an SQLite file, or PostgreSQL with
AGENTDECK_TEST_DB=postgres) fire each due time of each task exactly once between them, and
deliver each fired event to the named subscriber exactly once."""
from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from agentdeck import scheduler
from agentdeck.storage.models.eventbus import Event
from tests.support.workers import ServerProcess, recorded


def test_two_workers_fire_every_due_time_once(db, tmp_path):
    record = tmp_path / "handled.jsonl"
    workers = [ServerProcess(record), ServerProcess(record)]
    try:
        for worker in workers:
            worker.wait_ready()
        tasks = [scheduler.create_task(name=f"Every {ms}", kind="interval", every_ms=ms, event_topic=f"tick.{ms}",
                                       payload={"ms": ms}) for ms in (300, 500, 1000)]
        started = time.monotonic()
        time.sleep(5)
        elapsed = time.monotonic() - started
        time.sleep(1)  # deliveries of the last runs
    finally:
        for worker in workers:
            worker.stop()
    handled = recorded(record)
    for created in tasks:
        task = scheduler.get_task(created.id)
        every = timedelta(milliseconds=task.every_ms)
        slots_until_last_run = (task.last_run_at - created.next_run_at) // every + 1
        # never more runs than due times (a run later than a whole slot may skip one, by policy)
        assert slots_until_last_run - 1 <= task.run_count <= slots_until_last_run, (task.every_ms, task.run_count)
        assert task.run_count >= elapsed * 1000 / task.every_ms - 2
        fired = list(Event.select().where(Event.key == task.id).order_by(Event.id))
        assert len(fired) == task.run_count  # each claim committed with its event
        gaps = [(b.created_at - a.created_at).total_seconds() for a, b in zip(fired, fired[1:])]
        assert min(gaps) > task.every_ms / 1000 * 0.5, (task.every_ms, gaps)  # never two for one due time
    counts = Counter(item["id"] for item in handled)
    assert counts and max(counts.values()) == 1, "an event was delivered twice"
    assert set(counts) == {event.id for event in Event.select()}
