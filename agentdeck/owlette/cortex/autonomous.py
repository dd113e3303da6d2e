"""Autonomous cortex: an event (a process crash, say) investigated in the background, kept as a
chat, and escalated to the site's admins when the model says a human must act.

``accept(body)`` answers at once: refused with a reason (``autonomous_disabled`` while the site
has no LLM key of its own or ``AGENTDECK_OWLETTE_CORTEX_AUTONOMOUS`` is off, ``cooldown_active``
within ``AGENTDECK_OWLETTE_CORTEX_COOLDOWN`` seconds of an investigation of the same machine,
process and event, ``concurrency_limit`` while the site runs ``AGENTDECK_OWLETTE_CORTEX_CONCURRENCY``
investigations), or accepted: the chat row (status ``running``) and an ``owlette.cortex.investigate``
event are committed together, so the investigation survives a crash of the worker that accepted
it — the event bus hands it to one worker, at least once (``investigate`` does nothing for a chat
that is no longer running).

The investigation is the interactive cortex's agent loop with the site's key, the read-only
fleet tools (no commands: nobody is there to answer for them) and ``owlette_escalate``, which
records an escalation. Escalations are emailed by ``process_escalations`` (``escalation.py``),
called right after the investigation and by ``/api/cortex/escalation``.
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from agentdeck import eventbus
from agentdeck.agent_tools import AgentTool
from agentdeck.errors import NotFound
from agentdeck.providers.errors import ProviderError
from agentdeck.settings import get_settings
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.owlette import OwletteSite
from agentdeck.storage.models.owlette_cortex import OwletteCortexChat, OwletteCortexEscalation
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.owlette.cortex.tools import CortexContext, bound_tools

log = logging.getLogger("agentdeck.owlette.cortex")
TOPIC = "owlette.cortex.investigate"
#: A running investigation older than this no longer counts against the site's concurrency
#: (its worker died mid-run; the bus hands the event to another, which finishes or fails it).
STALE_AFTER = timedelta(minutes=15)
SEVERITIES = ("warning", "critical")
PROMPT = ("An event needs investigating at site {site}: {event} on machine {machine}{process}.{error}\n"
          "Look at the machine's status, its processes and the recent logs with the tools. Then say in a "
          "few sentences what happened and whether it recovered. If a person must act (the process keeps "
          "failing, the machine is unhealthy, data may be lost), call owlette_escalate once with a short "
          "summary of what they should look at.")


def new_chat_id() -> str:
    return f"cortex_{int(utcnow().timestamp() * 1000)}_{secrets.token_hex(6)}"


def _refusal(site_id: str, machine_id: str, body: dict) -> str | None:
    from agentdeck.owlette import llm_keys
    from agentdeck.owlette.alerting import claim_mark

    settings = get_settings()
    if not settings.owlette_cortex_autonomous or llm_keys.site_key(site_id) is None:
        return "autonomous_disabled"
    running = (OwletteCortexChat.select()
               .where((OwletteCortexChat.site == site_id) & (OwletteCortexChat.status == "running")
                      & (OwletteCortexChat.created_at > utcnow() - STALE_AFTER)).count())
    if running >= max(1, settings.owlette_cortex_concurrency):
        return "concurrency_limit"
    subject = f"cortex:{site_id}:{machine_id}:{body.get('processName') or ''}:{body['eventType']}"
    if not claim_mark(subject, settings.owlette_cortex_cooldown):
        return "cooldown_active"
    return None


def accept(body: dict) -> dict:
    """``{accepted: true, eventId, chatId}``, or ``{accepted: false, reason}``; ``NotFound`` for
    an unknown site."""
    site_id, machine_id = body["siteId"], body["machineId"]
    if OwletteSite.get_or_none(OwletteSite.id == site_id) is None:
        raise NotFound("Site not found")
    reason = _refusal(site_id, machine_id, body)
    if reason is not None:
        return {"accepted": False, "reason": reason}
    event = {k: body[k] for k in ("eventType", "processName", "errorMessage", "machineName") if body.get(k)}
    chat_id = new_chat_id()
    with writing():
        OwletteCortexChat.create(id=chat_id, site=site_id, machine_id=machine_id, event=event)
        event_id = eventbus.publish(TOPIC, {"chatId": chat_id}, key=chat_id)
    return {"accepted": True, "eventId": str(event_id), "chatId": chat_id}


def _prompt(chat: OwletteCortexChat) -> str:
    event = chat.event or {}
    process = f", process {event['processName']}" if event.get("processName") else ""
    error = f" The error reported: {event['errorMessage']}" if event.get("errorMessage") else ""
    machine = f"{event.get('machineName') or chat.machine_id} (id {chat.machine_id})"
    return PROMPT.format(site=chat.site_id, event=event.get("eventType", "an event"), machine=machine,
                         process=process, error=error)


def _escalate_tool(chat: OwletteCortexChat) -> AgentTool:
    def escalate(summary: str, severity: str = "warning") -> dict:
        escalation_id = f"esc_{secrets.token_hex(8)}"
        with writing():
            OwletteCortexEscalation.create(id=escalation_id, site=chat.site_id, machine_id=chat.machine_id,
                                           chat=chat.id, summary=summary, severity=severity)
        return {"escalated": True, "escalationId": escalation_id}

    return AgentTool.checked(
        "owlette_escalate", "Flag this event for the site's admins by email, with what they should look at.",
        {"type": "object", "additionalProperties": False, "required": ["summary"],
         "properties": {"summary": {"type": "string", "minLength": 1, "maxLength": 2000},
                        "severity": {"type": "string", "enum": list(SEVERITIES)}}},
        gives_back_connection(escalate))


def _begin(chat_id: str):
    """The chat to investigate and the site's key, or None when there is nothing to do."""
    from agentdeck.owlette import llm_keys

    chat = OwletteCortexChat.get_or_none(OwletteCortexChat.id == chat_id)
    if chat is None or chat.status != "running":
        return None
    key = llm_keys.site_key(chat.site_id)
    if key is None:
        _finish(chat.id, [], "failed", "the site's LLM key was removed")
        return None
    return chat, key


def _finish(chat_id: str, messages: list[dict], status: str, error: str | None = None) -> None:
    with writing():
        (OwletteCortexChat.update(messages=messages, status=status, error=error, updated_at=utcnow())
         .where((OwletteCortexChat.id == chat_id) & (OwletteCortexChat.status == "running")).execute())


async def investigate(chat_id: str) -> None:
    """Run the investigation of ``chat_id`` (a no-op unless it is still running)."""
    import asyncio

    from agentdeck.agtos.chat.loop import AgentLoop
    from agentdeck.owlette.cortex import SYSTEM, KeyedModel
    from agentdeck.owlette.cortex.escalation import process_escalations

    begun = await asyncio.to_thread(gives_back_connection(_begin), chat_id)
    if begun is None:
        return
    chat, key = begun
    ctx = CortexContext(chat.site_id, None, may_command=False)
    tools = {**bound_tools(ctx), "owlette_escalate": _escalate_tool(chat)}
    system = SYSTEM.format(site=chat.site_id, scope=f"You are investigating machine {chat.machine_id} on your own.")
    messages = [{"role": "system", "content": system}, {"role": "user", "content": _prompt(chat)}]
    settings = get_settings()
    loop = AgentLoop(KeyedModel(key["provider"], key["apiKey"], key["model"]), messages, tools,
                     max_steps=settings.agtos_chat_max_steps, tool_timeout=settings.agtos_chat_tool_timeout,
                     stream=False)
    kept, status, error = messages[1:], "done", None
    try:
        async for event in loop.events():
            if event["type"] == "tool_start":
                kept.append({"role": "tool", "name": event["name"], "input": event.get("input")})
        kept.append({"role": "assistant", "content": loop.text})
    except ProviderError as exc:
        log.warning("autonomous cortex for %s: the model failed: %s", chat.site_id, exc)
        status, error = "failed", f"The model could not answer: {exc.message}"
    # What it escalated is sent before the chat says done, so a reader of a finished chat sees it.
    await asyncio.to_thread(gives_back_connection(process_escalations), chat.site_id)
    await asyncio.to_thread(gives_back_connection(_finish), chat.id, kept, status, error)


def chat_document(chat: OwletteCortexChat) -> dict:
    escalations = [{"id": e.id, "summary": e.summary, "severity": e.severity, "status": e.status}
                   for e in chat.escalations.order_by(OwletteCortexEscalation.created_at)]
    return {"id": chat.id, "siteId": chat.site_id, "machineId": chat.machine_id, "kind": chat.kind,
            "status": chat.status, "event": chat.event or {}, "messages": chat.messages or [],
            "error": chat.error, "escalations": escalations,
            "createdAt": to_iso(chat.created_at), "updatedAt": to_iso(chat.updated_at)}


def get_chat(site_id: str, chat_id: str) -> dict:
    """A kept chat of ``site_id``; ``NotFound`` otherwise (another site's chat included)."""
    chat = OwletteCortexChat.get_or_none((OwletteCortexChat.id == chat_id) & (OwletteCortexChat.site == site_id))
    if chat is None:
        raise NotFound("Chat not found")
    return {"success": True, "chat": chat_document(chat)}
