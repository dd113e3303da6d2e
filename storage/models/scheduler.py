"""Scheduler tables: tasks that publish an event on the bus when they fall due."""
from __future__ import annotations

import secrets

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.timeutil import utcnow


def new_task_id() -> str:
    """``task-`` and 16 hex digits, the shape of the reference's task ids."""
    return f"task-{secrets.token_hex(8)}"


class ScheduledTask(BaseModel):
    """A task: ``kind`` is ``cron`` (``expression``, ``timezone``), ``once`` (``at``) or
    ``interval`` (``every_ms``). ``next_run_at`` is the due time the runners claim; it is null
    once a task will not run again."""

    id = peewee.CharField(max_length=40, primary_key=True, default=new_task_id)
    name = peewee.CharField(max_length=500)
    kind = peewee.CharField(max_length=16)
    expression = peewee.CharField(max_length=200, null=True)
    timezone = peewee.CharField(max_length=100, null=True)
    at = peewee.DateTimeField(null=True)
    every_ms = peewee.BigIntegerField(null=True)
    event_topic = peewee.CharField(max_length=200)
    payload = JSONField(default=dict)
    status = peewee.CharField(max_length=16, default="active")
    next_run_at = peewee.DateTimeField(null=True)
    last_run_at = peewee.DateTimeField(null=True)
    run_count = peewee.IntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "scheduler_task"
        indexes = ((("status", "next_run_at"), False),)


MODELS = [ScheduledTask]
