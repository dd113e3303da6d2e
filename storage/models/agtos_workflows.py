"""Models of agtOS's workflows: the definitions the operator added, and every execution."""
from __future__ import annotations

import secrets

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.timeutil import utcnow


def new_execution_id() -> str:
    """``exec-`` and 16 hex digits."""
    return f"exec-{secrets.token_hex(8)}"


class Workflow(BaseModel):
    """A workflow definition: ``steps`` as checked from its YAML, ``source`` the YAML itself."""

    id = peewee.CharField(max_length=128, primary_key=True)
    name = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    steps = JSONField(default=list)
    source = peewee.TextField()
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "agtos_workflow"


class WorkflowExecution(BaseModel):
    """One run of a workflow. ``event_id`` is the bus event that started it (null for a run
    asked over HTTP); unique, so an event delivered twice runs its workflow once."""

    id = peewee.CharField(max_length=24, primary_key=True, default=new_execution_id)
    workflow_id = peewee.CharField(max_length=128)
    state = peewee.CharField(max_length=16, default="running")
    input = JSONField(default=dict)
    output = JSONField(null=True)
    error = peewee.TextField(null=True)
    trigger = peewee.CharField(max_length=16, default="api")
    event_id = peewee.BigIntegerField(null=True, unique=True)
    start_time = peewee.DateTimeField(default=utcnow)
    end_time = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "agtos_workflow_execution"
        indexes = ((("workflow_id", "start_time"), False),)


MODELS = [Workflow, WorkflowExecution]
