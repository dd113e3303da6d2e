"""Creating, reading, listing and deleting tasks; first due times, cron in a timezone."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from agentdeck import scheduler
from agentdeck.errors import InvalidInput
from agentdeck.scheduler.schedules import next_cron, next_run
from agentdeck.timeutil import utcnow


def test_each_kind_gets_its_first_due_time(db):
    before = utcnow()
    every = scheduler.create_task(name="Tick", kind="interval", every_ms=1500, event_topic="tick",
                                  payload={"n": 1})
    assert timedelta(milliseconds=1500) <= every.next_run_at - before < timedelta(seconds=3)
    at = datetime(2030, 1, 2, 3, 4, 5, 678000)
    once = scheduler.create_task(name="Once", kind="once", at=int(at.replace(tzinfo=timezone.utc).timestamp() * 1000),
                                 event_topic="once")
    assert once.next_run_at == at
    cron = scheduler.create_task(name="Morning", kind="cron", expression="0 7 * * *", event_topic="briefing.morning")
    assert (cron.next_run_at.hour, cron.next_run_at.minute) == (7, 0) and cron.next_run_at > before
    for task in (every, once, cron):
        assert (task.status, task.run_count, task.last_run_at) == ("active", 0, None)
    assert [t.id for t in scheduler.list_tasks()] == [every.id, once.id, cron.id]
    assert scheduler.get_task(once.id).event_topic == "once"
    assert every.id.startswith("task-")


def test_cron_is_read_in_the_tasks_timezone():
    # 07:00 in Tokyo (UTC+9, no DST) is 22:00 UTC the day before
    assert next_cron("0 7 * * *", "Asia/Tokyo", datetime(2026, 6, 1, 12, 0)) == datetime(2026, 6, 1, 22, 0)
    # 07:00 in Paris is 05:00 UTC in summer and 06:00 UTC in winter
    assert next_cron("0 7 * * *", "Europe/Paris", datetime(2026, 7, 1, 12, 0)) == datetime(2026, 7, 2, 5, 0)
    assert next_cron("0 7 * * *", "Europe/Paris", datetime(2026, 12, 1, 12, 0)) == datetime(2026, 12, 2, 6, 0)
    assert next_cron("0 7 * * *", None, datetime(2026, 12, 1, 12, 0)) == datetime(2026, 12, 2, 7, 0)


def test_cron_in_a_timezone_across_daylight_saving_changes():
    # Paris, 29 March 2026: 02:00-03:00 does not exist; a 02:30 job runs at 03:00 local (01:00 UTC)
    assert next_cron("30 2 * * *", "Europe/Paris", datetime(2026, 3, 28, 12)) == datetime(2026, 3, 29, 1, 0)
    # 25 October 2026: 02:00-03:00 comes twice; a 02:30 job runs at the first only
    assert next_cron("30 2 * * *", "Europe/Paris", datetime(2026, 10, 24, 12)) == datetime(2026, 10, 25, 0, 30)
    assert next_cron("30 2 * * *", "Europe/Paris", datetime(2026, 10, 25, 0, 45)) == datetime(2026, 10, 26, 1, 30)
    # while a job every 30 minutes keeps running through the repeated hour
    assert next_cron("*/30 * * * *", "Europe/Paris", datetime(2026, 10, 25, 0, 45)) == datetime(2026, 10, 25, 1, 0)
    assert next_cron("*/30 * * * *", "Europe/Paris", datetime(2026, 10, 25, 1, 15)) == datetime(2026, 10, 25, 1, 30)


def test_a_cron_task_with_a_timezone_is_stored_with_it(db):
    task = scheduler.create_task(name="Tokyo", kind="cron", expression="30 8 * * *", timezone="Asia/Tokyo",
                                 event_topic="tokyo")
    assert task.timezone == "Asia/Tokyo"
    assert (task.next_run_at.hour, task.next_run_at.minute) == (23, 30)


def test_the_downtime_policy_gives_the_first_slot_after_the_late_run():
    due = datetime(2026, 1, 1, 0, 0, 0)
    late = due + timedelta(seconds=10, milliseconds=500)
    # an interval task 10.5 slots late runs once and keeps its phase: next slot is 11 s after due
    assert next_run("interval", expression=None, zone_name=None, every_ms=1000, due=due, now=late) == \
        due + timedelta(seconds=11)
    assert next_run("interval", expression=None, zone_name=None, every_ms=1000, due=due,
                    now=due + timedelta(milliseconds=20)) == due + timedelta(seconds=1)
    # a daily cron task three days late: the next one is tomorrow's, not the three missed ones
    assert next_run("cron", expression="0 7 * * *", zone_name=None, every_ms=None,
                    due=datetime(2026, 1, 1, 7), now=datetime(2026, 1, 4, 9)) == datetime(2026, 1, 5, 7)
    assert next_run("once", expression=None, zone_name=None, every_ms=None, due=due, now=late) is None


@pytest.mark.parametrize("fields, message", [
    ({"name": "", "kind": "interval", "every_ms": 1000}, "Missing or invalid field: name"),
    ({"name": "x", "kind": "weekly"}, "Missing or invalid field: scheduleType"),
    ({"name": "x", "kind": "cron"}, "Cron schedule requires an expression field"),
    ({"name": "x", "kind": "cron", "expression": "61 * * * *"}, "Invalid cron expression: 61 * * * *"),
    ({"name": "x", "kind": "cron", "expression": "* * * * *", "timezone": "Mars/Olympus"},
     "Unknown timezone: Mars/Olympus"),
    ({"name": "x", "kind": "once"}, "Once schedule requires an atTimestamp field"),
    ({"name": "x", "kind": "interval", "every_ms": 5}, "Interval schedule requires an intervalMs field of at least 100"),
    ({"name": "x", "kind": "interval", "every_ms": True}, "Interval schedule requires an intervalMs field of at least 100"),
])
def test_invalid_tasks_are_refused_with_the_message_a_client_sees(db, fields, message):
    with pytest.raises(InvalidInput) as raised:
        scheduler.create_task(event_topic="t", **fields)
    assert str(raised.value) == message
    assert scheduler.list_tasks() == []


def test_a_bad_topic_is_refused(db):
    with pytest.raises(InvalidInput, match="eventTopic"):
        scheduler.create_task(name="x", kind="interval", every_ms=1000, event_topic="a.*")


def test_delete_removes_the_task_and_an_unknown_id_is_not_found(db):
    task = scheduler.create_task(name="Tick", kind="interval", every_ms=1000, event_topic="tick")
    scheduler.delete_task(task.id)
    assert scheduler.list_tasks() == []
    with pytest.raises(scheduler.TaskNotFound):
        scheduler.delete_task(task.id)
    with pytest.raises(scheduler.TaskNotFound):
        scheduler.get_task(task.id)
