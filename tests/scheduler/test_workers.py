"""Two server processes on one database (the suite's: an SQLite file, or PostgreSQL with
AGENTDECK_TEST_DB=postgres) fire each due time of each task exactly once between them, and
deliver each fired event to the named subscriber exactly once."""
from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta

from agentdeck import scheduler
from agentdeck.storage.models.eventbus import Event, EventDelivery
from tests.support.workers import ServerProcess, recorded


def test_two_workers_fire_every_due_time_once(db, tmp_path):
    record = tmp_path / "handled.jsonl"
    workers = [ServerProcess(record), ServerProcess(record)]
    try:
        for worker in workers:
            worker.wait_ready()
        tasks = [scheduler.create_task(name=f"Every {ms}", kind="interval", every_ms=ms, event_topic=f"tick.{ms}",
                                       payload={"ms": ms}) for ms in (300, 500, 1000)]
        time.sleep(6)  # a dozen due times of the fastest task, and the deliveries of the last ones
    finally:
        for worker in workers:
            worker.stop()
    handled = recorded(record)
    runs = recorded(record.with_name(record.name + ".fired"))
    pairs = Counter((run["task"], run["due"]) for run in runs)
    assert pairs and max(pairs.values()) == 1, "a due time fired twice"
    by_worker = Counter(run["pid"] for run in runs)
    assert len(by_worker) == 2, f"both workers race for the due times: {by_worker}"
    for created in tasks:
        task = scheduler.get_task(created.id)
        every = timedelta(milliseconds=task.every_ms)
        dues = sorted(datetime.fromisoformat(due) for name, due in pairs if name == task.id)
        assert len(dues) == task.run_count >= 3, (task.every_ms, len(dues), task.run_count)  # several, each counted once
        # each one a slot of the schedule (a run later than a whole slot skips some, by policy)
        assert all((due - created.next_run_at) % every == timedelta(0) for due in dues)
        assert Event.select().where(Event.key == task.id).count() == task.run_count  # claim and event commit together
    counts = Counter(item["id"] for item in handled)
    assert counts and max(counts.values()) == 1, "an event was delivered twice"
    # every event is owed to the subscriber: handled, or (fired as the workers stopped) still pending
    status = {row.event_id: row.status for row in EventDelivery.select().where(EventDelivery.subscriber == "recorder")}
    assert set(status) == {event.id for event in Event.select()}
    assert set(counts) == {event_id for event_id, state in status.items() if state == "done"}
