"""A named subscriber's deliveries are kept in the database: events published while no server
runs it reach it when one starts again, and what it handled before is not handled again."""
from __future__ import annotations

import time

from agentdeck import eventbus
from tests.support.workers import ServerProcess, recorded


def _wait_for(record, count: int, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = recorded(record)
        if len(items) >= count:
            return items
        time.sleep(0.1)
    return recorded(record)


def test_subscriber_positions_survive_a_restart(db, tmp_path):
    record = tmp_path / "handled.jsonl"
    first = ServerProcess(record, pattern="notes.*").wait_ready()
    try:
        for n in range(3):
            eventbus.publish("notes.added", {"n": n})
        assert [item["payload"]["n"] for item in _wait_for(record, 3)] == [0, 1, 2]
    finally:
        first.stop()
    for n in range(3, 5):  # while no server runs
        eventbus.publish("notes.added", {"n": n})
    eventbus.publish("other.topic", {"n": 99})
    second = ServerProcess(record, pattern="notes.*").wait_ready()
    try:
        handled = _wait_for(record, 5)
        time.sleep(0.5)  # anything delivered twice would show up by now
        handled = recorded(record)
    finally:
        second.stop()
    assert [item["payload"]["n"] for item in handled] == [0, 1, 2, 3, 4]
    assert handled[0]["pid"] != handled[-1]["pid"]
