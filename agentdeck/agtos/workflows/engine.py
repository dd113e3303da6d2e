"""Running a workflow: its steps in order, each bounded by its ``timeoutMs``; every execution
recorded (``running``, then ``completed`` or ``failed``) with its input, output and error.

The execution's ``output`` maps each step's id to what it gave (a tool's result, a prompt's
text). The first step that fails or times out ends the execution: ``failed``, with ``error``
saying which step and why (``Step 'Check Weather' timed out``).
"""
from __future__ import annotations

import asyncio
import re

import peewee

from agentdeck.agent_tools import available_agent_tools, call_tool
from agentdeck.agtos.workflows.definitions import get_workflow
from agentdeck.errors import InvalidInput
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.agtos_workflows import WorkflowExecution
from agentdeck.timeutil import unix_ms, utcnow

PLACEHOLDER = re.compile(r"\{\{\s*(input|steps)\.([A-Za-z0-9_\-]+)\s*\}\}")


class StepFailed(Exception):
    """A step failed; the message is the execution's ``error``."""


class WorkflowFailed(InvalidInput):
    """An execution failed (400 ``Workflow execution failed``, the message says why)."""

    def __init__(self, message: str, execution: dict):
        super().__init__("Workflow execution failed", details=[{"message": message, "execution": execution}])


def _lookup(kind: str, key: str, context: dict):
    return context[kind].get(key)


def render(value, context: dict):
    """``value`` with its placeholders filled from ``context`` (``input`` and ``steps``)."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value.strip())
        if whole:
            return _lookup(whole.group(1), whole.group(2), context)
        return PLACEHOLDER.sub(lambda m: _text(_lookup(m.group(1), m.group(2), context)), value)
    if isinstance(value, dict):
        return {k: render(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, context) for v in value]
    return value


def _text(value) -> str:
    import json

    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


async def _run_step(step: dict, context: dict):
    timeout = step["timeoutMs"] / 1000
    if "tool" in step:
        outcome = await call_tool(available_agent_tools(), step["tool"], render(step["input"], context),
                                  timeout=timeout)
        if outcome.error is not None:
            if outcome.error.startswith("the tool did not answer within"):
                raise StepFailed(f"Step '{step['name']}' timed out")
            raise StepFailed(f"Step '{step['name']}' failed: {outcome.error}")
        return outcome.result
    from agentdeck.router import get_router

    messages = [{"role": "user", "content": _text(render(step["prompt"], context))}]
    try:
        routed = await asyncio.wait_for(get_router().complete(step["slot"], messages), timeout)
    except asyncio.TimeoutError:
        raise StepFailed(f"Step '{step['name']}' timed out") from None
    except Exception as exc:  # a provider's failure, an unknown slot: the step's error
        raise StepFailed(f"Step '{step['name']}' failed: {getattr(exc, 'message', None) or exc}") from None
    return routed.completion.text


def execution_body(row: WorkflowExecution) -> dict:
    """An execution as the API shows it."""
    return {"id": row.id, "workflowId": row.workflow_id, "state": row.state, "startTime": unix_ms(row.start_time),
            "endTime": unix_ms(row.end_time), "output": row.output, "error": row.error,
            "trigger": row.trigger, "eventId": row.event_id, "input": row.input}


@gives_back_connection
def _begin(workflow_id: str, given: dict, trigger: str, event_id: int | None):
    workflow = get_workflow(workflow_id)
    try:
        with writing():
            row = WorkflowExecution.create(workflow_id=workflow_id, input=given, trigger=trigger,
                                           event_id=event_id, start_time=utcnow())
    except peewee.IntegrityError:  # this event already ran it (a delivery made twice)
        return workflow, None
    return workflow, row


@gives_back_connection
def _finish(row: WorkflowExecution, state: str, output, error: str | None) -> dict:
    with writing():
        row.state, row.output, row.error, row.end_time = state, output, error, utcnow()
        row.save()
    return execution_body(row)


async def execute_workflow(workflow_id: str, given: dict | None = None, *, trigger: str = "api",
                           event_id: int | None = None) -> dict | None:
    """Run the workflow and return its execution; raises ``WorkflowNotFound`` and
    ``WorkflowFailed`` (after recording it). ``None`` when ``event_id`` already ran it."""
    workflow, row = await asyncio.to_thread(_begin, workflow_id, given or {}, trigger, event_id)
    if row is None:
        return None
    context = {"input": given or {}, "steps": {}}
    try:
        for step in workflow.steps:
            context["steps"][step["id"]] = await _run_step(step, context)
    except StepFailed as failure:
        body = await asyncio.to_thread(_finish, row, "failed", context["steps"], str(failure))
        raise WorkflowFailed(str(failure), body) from None
    return await asyncio.to_thread(_finish, row, "completed", context["steps"], None)


@gives_back_connection
def list_executions(workflow_id: str, limit: int = 50) -> dict:
    """The workflow's latest executions, newest first; raises ``WorkflowNotFound``."""
    get_workflow(workflow_id)
    rows = (WorkflowExecution.select().where(WorkflowExecution.workflow_id == workflow_id)
            .order_by(WorkflowExecution.start_time.desc(), WorkflowExecution.id).limit(limit))
    executions = [execution_body(r) for r in rows]
    return {"executions": executions, "count": len(executions)}
