"""Firing tasks in one process: on time, once per due time, with its event in the outbox even
when the process dies before delivering it, and once after downtime."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from datetime import timedelta

from agentdeck import eventbus, scheduler
from agentdeck.metrics import exposition
from agentdeck.scheduler import runner
from agentdeck.storage.db import writing
from agentdeck.storage.models.eventbus import Event
from agentdeck.storage.models.scheduler import ScheduledTask
from agentdeck.timeutil import utcnow
from tests.support.servers import OUTSIDE_THE_SOURCE


async def test_tasks_fire_within_a_second_of_their_due_times(db):
    fired = []
    eventbus.subscribe("tick.*", lambda event: fired.append((event.topic, event.key, utcnow())), name="ticks")
    every = scheduler.create_task(name="Tick", kind="interval", every_ms=400, event_topic="tick.every",
                                  payload={"n": 1})
    once = scheduler.create_task(name="Once", kind="once", at=utcnow() + timedelta(milliseconds=700),
                                 event_topic="tick.once")
    first_due = every.next_run_at
    loops = [asyncio.create_task(scheduler.scheduler_loop()), asyncio.create_task(eventbus.dispatch_loop())]
    try:
        await asyncio.sleep(2.1)
    finally:
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)  # no tick left running into the next test
    every, once = scheduler.get_task(every.id), scheduler.get_task(once.id)
    assert every.run_count in (4, 5), every.run_count  # due at 0.4, 0.8, 1.2, 1.6 and 2.0 s
    assert (once.status, once.run_count, once.next_run_at) == ("completed", 1, None)
    ticks = [at for topic, key, at in fired if topic == "tick.every"]
    for n, at in enumerate(ticks[:4]):
        lag = (at - (first_due + timedelta(milliseconds=400 * n))).total_seconds()
        assert 0 <= lag < 1, (n, lag)
    assert [key for topic, key, _ in fired if topic == "tick.once"] == [once.id]
    assert Event.select().where(Event.key == every.id).count() == every.run_count


def test_a_run_overdue_by_many_slots_fires_once(db):
    task = scheduler.create_task(name="Tick", kind="interval", every_ms=1000, event_topic="tick")
    daily = scheduler.create_task(name="Daily", kind="cron", expression="0 3 * * *", event_topic="daily")
    runs_before = runner.FIRED._value.get()
    with writing():  # the server was down for ten minutes, or three days
        ScheduledTask.update(next_run_at=utcnow() - timedelta(minutes=10)).where(ScheduledTask.id == task.id).execute()
        ScheduledTask.update(next_run_at=utcnow() - timedelta(days=3)).where(ScheduledTask.id == daily.id).execute()
    assert sorted(run.task_id for run in scheduler.fire_due_tasks()) == sorted([task.id, daily.id])
    assert scheduler.fire_due_tasks() == []
    task, daily = scheduler.get_task(task.id), scheduler.get_task(daily.id)
    assert task.run_count == 1 and utcnow() < task.next_run_at <= utcnow() + timedelta(seconds=1)
    assert daily.run_count == 1 and utcnow() < daily.next_run_at <= utcnow() + timedelta(days=1)
    assert Event.select().count() == 2
    assert runner.FIRED._value.get() == runs_before + 2
    assert b"agentdeck_scheduler_runs_total" in exposition()[0]


CRASH = textwrap.dedent("""
    import os
    from agentdeck.settings import get_settings
    from agentdeck.storage.db import init_db
    from agentdeck import scheduler
    init_db(get_settings().resolved_database_url)
    runs = scheduler.fire_due_tasks()
    print(len(runs), flush=True)
    os._exit(9)  # dies after the claim, before any subscriber saw the event
""")


async def test_a_crash_between_claim_and_delivery_loses_nothing(db):
    got = []
    eventbus.subscribe("reminders", lambda event: got.append(event.payload), name="reminders")
    scheduler.create_task(name="Remind", kind="once", at=utcnow(), event_topic="reminders",
                          payload={"text": "stand up"})
    done = subprocess.run([sys.executable, "-c", CRASH], env=dict(os.environ), capture_output=True,
                          text=True, timeout=60, cwd=OUTSIDE_THE_SOURCE)
    assert done.returncode == 9 and done.stdout.strip() == "1", done.stderr
    assert scheduler.fire_due_tasks() == []  # the run was claimed: it does not fire again
    await eventbus.deliver_once()  # this process, restarted, delivers what the dead one fired
    assert got == [{"text": "stand up"}]
