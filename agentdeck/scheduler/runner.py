"""Firing due tasks, exactly once per due time across every worker and host.

Each worker's runner looks for active tasks whose ``next_run_at`` has come, and claims one with
a conditional UPDATE that moves ``next_run_at`` on only if it still holds the due time the
worker read: of several workers racing for one due time, exactly one updates the row. The
winner publishes the task's event in the same transaction, so a claimed run and its event
commit together — a crash after the claim leaves the event in the outbox, and a crash before
it leaves the run due.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import peewee
from prometheus_client import Counter, Histogram

from agentdeck import eventbus
from agentdeck.metrics import REGISTRY
from agentdeck.scheduler.schedules import next_run
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.scheduler import ScheduledTask
from agentdeck.timeutil import utcnow

log = logging.getLogger("agentdeck.scheduler")
TICK_SECONDS = 0.2
BATCH = 200

FIRED = Counter("agentdeck_scheduler_runs", "Scheduled task runs fired", registry=REGISTRY)
LAG = Histogram("agentdeck_scheduler_fire_lag_seconds", "Seconds between a run's due time and its firing",
                registry=REGISTRY, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300))


@dataclass(frozen=True)
class FiredRun:
    """One run this worker fired: the task, the due time it claimed, when, and the event."""

    task_id: str
    due_at: datetime
    fired_at: datetime
    event_id: int


def _claim_and_publish(task_id: str, due: datetime) -> FiredRun | None:
    with writing():
        task = ScheduledTask.get_or_none(ScheduledTask.id == task_id)
        if task is None or task.status != "active" or task.next_run_at != due:
            return None  # another worker fired it, or it was deleted or changed
        now = utcnow()
        try:
            following = next_run(task.kind, expression=task.expression, zone_name=task.timezone,
                                 every_ms=task.every_ms, due=due, now=now)
        except Exception:  # a schedule croniter can no longer read: stop it rather than loop
            log.exception("task %s: cannot compute its next run; marked failed", task_id)
            following, status = None, "failed"
        else:
            status = "active" if following is not None else "completed"
        claimed = (ScheduledTask
                   .update(next_run_at=following, last_run_at=now, run_count=ScheduledTask.run_count + 1,
                           status=status, updated_at=now)
                   .where((ScheduledTask.id == task_id) & (ScheduledTask.next_run_at == due)
                          & (ScheduledTask.status == "active"))
                   .execute())
        if not claimed:
            return None
        if status == "failed":
            return None
        event_id = eventbus.publish(task.event_topic, task.payload, key=task.id)
    FIRED.inc()
    LAG.observe(max(0.0, (now - due).total_seconds()))
    return FiredRun(task_id, due, now, event_id)


@gives_back_connection
def fire_due_tasks(limit: int = BATCH) -> list[FiredRun]:
    """Fire every task due now (up to ``limit``), each in its own transaction; returns the runs
    this worker won. Safe to call from any number of workers at once."""
    now = utcnow()
    due = list(ScheduledTask.select(ScheduledTask.id, ScheduledTask.next_run_at)
               .where((ScheduledTask.status == "active") & (ScheduledTask.next_run_at <= now))
               .order_by(ScheduledTask.next_run_at).limit(limit).tuples())
    fired = []
    for task_id, due_at in due:
        run = _claim_and_publish(task_id, due_at)
        if run is not None:
            fired.append(run)
    return fired


@gives_back_connection
def seconds_until_next_due(at_most: float = TICK_SECONDS) -> float:
    """How long until the earliest active task is due, capped at ``at_most`` (0 if overdue)."""
    earliest = (ScheduledTask.select(peewee.fn.MIN(ScheduledTask.next_run_at))
                .where(ScheduledTask.status == "active").scalar())
    if earliest is None:
        return at_most
    if isinstance(earliest, str):  # SQLite's MIN() loses the column's type
        earliest = datetime.fromisoformat(earliest)
    return max(0.0, min(at_most, (earliest - utcnow()).total_seconds()))


async def scheduler_loop(tick: float = TICK_SECONDS) -> None:
    """Fire due tasks until cancelled, looking again at least every ``tick`` seconds."""
    while True:
        try:
            fired = await asyncio.to_thread(fire_due_tasks)
            pause = 0.0 if len(fired) >= BATCH else await asyncio.to_thread(seconds_until_next_due, tick)
        except Exception:  # the database went away for a moment: try again after a pause
            log.exception("scheduler tick failed; retrying")
            pause = tick
        await asyncio.sleep(pause)
