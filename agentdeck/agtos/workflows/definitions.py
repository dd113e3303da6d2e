"""Workflow definitions: YAML files the operator adds, checked once, kept in the database.

A definition has ``id`` (the path id's characters, 1-128), ``name``, an optional
``description`` and ``steps``. Each step has ``id``, ``name``, ``type: ACTION`` and either
``tool`` (an agent tool's name) with ``input`` (its arguments), or ``prompt`` (text sent through
the router slot ``slot``, default ``chat``); ``timeoutMs`` (default 30000, at most 600000) bounds it.
Strings in ``input`` and ``prompt`` may hold ``{{input.KEY}}`` (the execution's input) and
``{{steps.STEP_ID}}`` (an earlier step's output); a string that is one placeholder alone takes
the value itself, not its text.
"""
from __future__ import annotations

import re

import yaml

from agentdeck.errors import InvalidInput, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_workflows import Workflow
from agentdeck.timeutil import utcnow

ID = re.compile(r"^[a-zA-Z0-9\-_]{1,128}$")
DEFAULT_TIMEOUT_MS = 30_000
MAX_TIMEOUT_MS = 600_000


class WorkflowNotFound(NotFound):
    """No workflow has that id; the body names it, as the reference's does."""

    def __init__(self, workflow_id: str):
        super().__init__("Workflow not found", details=[{"workflowId": workflow_id}])


def _step(raw, index: int, seen: set) -> dict:
    where = f"step {index + 1}"
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: a step is a mapping")
    step_id = str(raw.get("id") or f"step-{index + 1}")
    if not ID.match(step_id) or step_id in seen:
        raise InvalidInput(f"{where}: id {step_id!r} is not a unique id of letters, digits, - and _")
    seen.add(step_id)
    if raw.get("type", "ACTION") != "ACTION":
        raise InvalidInput(f"{where}: type must be ACTION")
    if ("tool" in raw) == ("prompt" in raw):
        raise InvalidInput(f"{where}: give either tool (with input) or prompt")
    timeout = raw.get("timeoutMs", DEFAULT_TIMEOUT_MS)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= MAX_TIMEOUT_MS:
        raise InvalidInput(f"{where}: timeoutMs is 1-{MAX_TIMEOUT_MS}")
    step = {"id": step_id, "name": str(raw.get("name") or step_id), "type": "ACTION", "timeoutMs": timeout}
    if "tool" in raw:
        if not isinstance(raw["tool"], str) or not isinstance(raw.get("input", {}), dict):
            raise InvalidInput(f"{where}: tool is a name and input a mapping")
        step.update(tool=raw["tool"], input=raw.get("input") or {})
    else:
        if not isinstance(raw["prompt"], str) or not raw["prompt"].strip():
            raise InvalidInput(f"{where}: prompt is text")
        step.update(prompt=raw["prompt"], slot=str(raw.get("slot") or "chat"))
    return step


def parse_definition(text: str) -> dict:
    """The checked definition in ``text`` (YAML); raises ``InvalidInput`` saying what is wrong."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise InvalidInput("a workflow is a mapping with id, name and steps")
    workflow_id = raw.get("id")
    if not isinstance(workflow_id, str) or not ID.match(workflow_id):
        raise InvalidInput("id is 1-128 letters, digits, - and _")
    if not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise InvalidInput("name is required")
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps:
        raise InvalidInput("steps is a list of at least one step")
    seen: set = set()
    return {"id": workflow_id, "name": raw["name"].strip(), "description": str(raw.get("description") or ""),
            "steps": [_step(s, i, seen) for i, s in enumerate(steps)]}


def add_workflow(text: str) -> tuple[Workflow, bool]:
    """Store the definition in ``text``, replacing one with its id; returns it and whether it is new."""
    definition = parse_definition(text)
    now = utcnow()
    with writing():
        existing = Workflow.get_or_none(Workflow.id == definition["id"])
        if existing is None:
            return Workflow.create(**definition, source=text, created_at=now, updated_at=now), True
        Workflow.update(**{k: v for k, v in definition.items() if k != "id"}, source=text,
                        updated_at=now).where(Workflow.id == definition["id"]).execute()
    return Workflow.get_by_id(definition["id"]), False


def remove_workflow(workflow_id: str) -> None:
    """Remove a definition (its executions stay recorded); raises ``WorkflowNotFound``."""
    with writing():
        if not Workflow.delete().where(Workflow.id == workflow_id).execute():
            raise WorkflowNotFound(workflow_id)


def get_workflow(workflow_id: str) -> Workflow:
    """The workflow ``workflow_id``; raises ``WorkflowNotFound``."""
    workflow = Workflow.get_or_none(Workflow.id == workflow_id)
    if workflow is None:
        raise WorkflowNotFound(workflow_id)
    return workflow


def public(workflow: Workflow) -> dict:
    """The definition as ``GET /api/workflows`` lists it."""
    steps = [{k: v for k, v in step.items()} for step in workflow.steps]
    return {"id": workflow.id, "name": workflow.name, "description": workflow.description,
            "stepCount": len(steps), "steps": steps}


def list_workflows() -> dict:
    """Every definition, by id."""
    workflows = [public(w) for w in Workflow.select().order_by(Workflow.id)]
    return {"workflows": workflows, "count": len(workflows)}
