"""Scheduled tasks: create, read, list and delete; the runner (``runner.py``) fires them."""
from __future__ import annotations

from datetime import datetime, timezone

from agentdeck.errors import InvalidInput, NotFound
from agentdeck.eventbus.outbox import check_topic
from agentdeck.scheduler.schedules import KINDS, MIN_INTERVAL_MS, check_cron, check_timezone, first_run
from agentdeck.storage.db import writing
from agentdeck.storage.models.scheduler import ScheduledTask
from agentdeck.timeutil import utcnow

STATUSES = ("active", "paused", "completed", "cancelled", "failed")


class TaskNotFound(NotFound):
    """No scheduled task has that id."""

    def __init__(self, task_id: str):
        super().__init__("Task not found")
        self.task_id = task_id


def _as_utc(at) -> datetime:
    if isinstance(at, bool) or not isinstance(at, (int, float, datetime)):
        raise InvalidInput("Once schedule requires an atTimestamp field")
    if isinstance(at, datetime):
        return at if at.tzinfo is None else at.astimezone(timezone.utc).replace(tzinfo=None)
    try:
        return datetime.fromtimestamp(at / 1000, timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise InvalidInput("Invalid atTimestamp") from None


def _checked(name, kind, event_topic, payload, expression, zone_name, at, every_ms) -> dict:
    if not isinstance(name, str) or not name.strip() or len(name) > 500:
        raise InvalidInput("Missing or invalid field: name")
    if kind not in KINDS:
        raise InvalidInput("Missing or invalid field: scheduleType")
    if not isinstance(event_topic, str) or not event_topic.strip():
        raise InvalidInput("Missing or invalid field: eventTopic")
    try:
        check_topic(event_topic)
    except InvalidInput:
        raise InvalidInput("Missing or invalid field: eventTopic") from None
    if payload is not None and not isinstance(payload, dict):
        raise InvalidInput("Missing or invalid field: payload")
    fields = {"name": name.strip(), "kind": kind, "event_topic": event_topic,
              "payload": payload or {}, "expression": None, "timezone": None, "at": None, "every_ms": None}
    if kind == "cron":
        check_timezone(zone_name)
        fields.update(expression=check_cron(expression), timezone=zone_name)
    elif kind == "once":
        fields["at"] = _as_utc(at)
    else:
        if isinstance(every_ms, bool) or not isinstance(every_ms, int) or every_ms < MIN_INTERVAL_MS:
            raise InvalidInput(f"Interval schedule requires an intervalMs field of at least {MIN_INTERVAL_MS}")
        fields["every_ms"] = every_ms
    return fields


def create_task(*, name: str, kind: str, event_topic: str, payload: dict | None = None,
                expression: str | None = None, timezone: str | None = None, at=None,
                every_ms: int | None = None) -> ScheduledTask:
    """Store a new active task and return it with its first ``next_run_at``.

    ``kind`` ``cron`` needs ``expression`` (five fields, read in ``timezone``, UTC when None);
    ``once`` needs ``at`` (a datetime, naive meaning UTC, or Unix milliseconds); ``interval``
    needs ``every_ms`` (at least 100). When it fires, ``event_topic`` is published with
    ``payload`` and the task's id as the event key. Raises ``InvalidInput`` with the message a
    client should see.
    """
    fields = _checked(name, kind, event_topic, payload, expression, timezone, at, every_ms)
    now = utcnow()
    due = first_run(kind, expression=fields["expression"], zone_name=fields["timezone"], at=fields["at"],
                    every_ms=fields["every_ms"], now=now)
    with writing():
        return ScheduledTask.create(**fields, next_run_at=due, created_at=now, updated_at=now)


def get_task(task_id: str) -> ScheduledTask:
    """The task ``task_id``; raises ``TaskNotFound``."""
    task = ScheduledTask.get_or_none(ScheduledTask.id == task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


def list_tasks(status: str | None = None) -> list[ScheduledTask]:
    """Every task (or those with ``status``), oldest first."""
    query = ScheduledTask.select().order_by(ScheduledTask.created_at, ScheduledTask.id)
    if status is not None:
        query = query.where(ScheduledTask.status == status)
    return list(query)


def delete_task(task_id: str) -> None:
    """Remove the task ``task_id``: it will not fire again (an event it already fired stays
    on the bus). Raises ``TaskNotFound``."""
    with writing():
        if not ScheduledTask.delete().where(ScheduledTask.id == task_id).execute():
            raise TaskNotFound(task_id)
