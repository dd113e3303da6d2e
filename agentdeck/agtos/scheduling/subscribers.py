"""The event bus subscriber for scheduled tasks, ``agtos-scheduled-tasks`` (registered by the
built-in plugin ``agtos_scheduling``), acts on events of any topic whose payload asks for it:

- ``workflowId`` (with an optional ``input`` object): runs that workflow, once per event
  (the execution records the event, so a delivery made twice runs it once);
- ``agentTask`` (text): runs it through the chat loop as ``POST /api/tasks`` does, and publishes
  the answer as ``agtos.agent-task.completed`` (``{eventId, taskId, topic, text, metadata}``);
- ``alert`` (``{title, message?, severity?}``): sends it through the operator's alert channels
  (``AGENTDECK_AGTOS_ALERT_CHANNELS``, default ``log``).
"""
from __future__ import annotations

import json
import logging

from agentdeck import eventbus
from agentdeck.agtos.workflows import WorkflowFailed, WorkflowNotFound, execute_workflow
from agentdeck.alerts import Alert, AlertError, dispatch_alert

log = logging.getLogger("agentdeck.agtos.scheduling")
COMPLETED_TOPIC = "agtos.agent-task.completed"


async def run_workflow(event) -> None:
    """Run ``payload.workflowId`` (a failing workflow is recorded, not retried)."""
    payload = event.payload or {}
    workflow_id = payload.get("workflowId")
    if not isinstance(workflow_id, str) or not workflow_id:
        return
    given = payload.get("input") if isinstance(payload.get("input"), dict) else {}
    try:
        await execute_workflow(workflow_id, given, trigger="event", event_id=event.id)
    except WorkflowNotFound:
        log.warning("event %s names workflow %r, which is not registered", event.id, workflow_id)
    except WorkflowFailed as failure:
        log.warning("event %s: workflow %r failed: %s", event.id, workflow_id, failure.details[0]["message"])


async def run_agent_task(event) -> None:
    """Run ``payload.agentTask`` through the chat loop and publish its answer."""
    import asyncio

    from agentdeck.agtos.chat import run_task
    from agentdeck.storage.db import gives_back_connection

    topic = (event.payload or {}).get("agentTask")
    if event.topic == COMPLETED_TOPIC or not isinstance(topic, str) or not topic.strip():
        return
    answer = await run_task(topic)
    await asyncio.to_thread(gives_back_connection(eventbus.publish), COMPLETED_TOPIC,
                            {"eventId": event.id, **answer, "topic": topic}, key=str(event.id))


def alert_channels() -> list[tuple[str, dict]]:
    """The operator's channels: ``AGENTDECK_AGTOS_ALERT_CHANNELS``, a JSON object of channel
    name to configuration (default ``{"log": {}}``)."""
    from agentdeck.settings import Settings

    raw = Settings.from_env().agtos_alert_channels.strip()  # read afresh, as the chat limits are
    if not raw:
        return [("log", {})]
    try:
        configured = json.loads(raw)
    except json.JSONDecodeError:
        log.error("AGENTDECK_AGTOS_ALERT_CHANNELS is not JSON; alerts go to the log channel")
        return [("log", {})]
    return [(name, config or {}) for name, config in configured.items()] if isinstance(configured, dict) else [("log", {})]


def send_alert(event) -> None:
    """Send ``payload.alert`` through every configured channel."""
    wanted = (event.payload or {}).get("alert")
    if not isinstance(wanted, dict) or not isinstance(wanted.get("title"), str) or not wanted["title"].strip():
        return
    severity = wanted.get("severity") if wanted.get("severity") in ("info", "warning", "critical") else "info"
    alert = Alert(title=wanted["title"], message=str(wanted.get("message") or ""), severity=severity,
                  source="agtos-scheduler", details={"eventId": event.id, "topic": event.topic})
    for name, config in alert_channels():
        try:
            dispatch_alert(name, config, alert)
        except AlertError as exc:
            log.error("alert channel %s: %s", name, exc)


async def handle_event(event) -> None:
    """The one subscriber (``agtos-scheduled-tasks``, every topic, so one delivery per event):
    each part the payload asks for, a failing part logged rather than retried with the others."""
    import asyncio

    from agentdeck.storage.db import gives_back_connection

    payload = event.payload if isinstance(event.payload, dict) else {}
    if "workflowId" in payload:
        await run_workflow(event)
    if "agentTask" in payload:
        try:
            await run_agent_task(event)
        except Exception:  # the providers failed: logged; the task fires again on its schedule
            log.exception("event %s: the agent task failed", event.id)
    if "alert" in payload:
        await asyncio.to_thread(gives_back_connection(send_alert), event)
