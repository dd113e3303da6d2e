"""Commands for machines: queued whether or not the machine is online, handed to its agent on its
next poll, followed through the states the agent reports.

Delivery is at least once: a command handed out and not reported on within
``REDELIVER_SECONDS`` is handed out again, and the agent treats the command id as its
idempotency key. Every state is kept on the command row and readable by the site's users.
"""
from __future__ import annotations

import asyncio
import contextlib
import math
import secrets
import time
from datetime import timedelta


from starlette.concurrency import run_in_threadpool

from agentdeck import stopping
from agentdeck.errors import Conflict, InvalidInput, NotFound
from agentdeck.settings import get_settings
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.owlette import OwletteAgentToken
from agentdeck.storage.models.owlette_fleet import Command, Machine
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.owlette.fleet import events
from agentdeck.owlette.fleet.waiting import held

COMMAND_TYPES = (
    "restart_process", "kill_process", "start_process", "stop_process", "set_launch_mode",
    "toggle_autolaunch", "update_config", "install_software", "update_owlette", "cancel_installation",
    "uninstall_software", "refresh_software_inventory", "capture_screenshot", "reboot_machine",
    "shutdown_machine", "cancel_reboot", "provision_cortex_key", "sync_config", "ping",
)
AGENT_STATES = ("in_progress", "downloading", "installing", "uninstalling", "completed", "failed", "cancelled")
TERMINAL = frozenset({"completed", "failed", "cancelled", "cleared"})
OPEN = ("pending", "delivered", "in_progress", "downloading", "installing", "uninstalling")
REDELIVER_SECONDS = 60
MAX_WAIT = 120
DEFAULT_WAIT = 30
MAX_POLL_HOLD = 60
MAX_PER_POLL = 50
MAX_DATA_CHARS = 64_000


def new_command_id() -> str:
    """``cmd_<ms>_<hex>``: sortable by time, unguessable."""
    return f"cmd_{int(time.time() * 1000)}_{secrets.token_hex(6)}"


def document(row: Command) -> dict:
    """A command as the dashboard reads it."""
    return {"id": row.id, "machineId": row.machine_id, "type": row.type, "data": row.data or {},
            "status": row.status, "result": row.result, "error": row.error, "progress": row.progress,
            "deliveryCount": row.delivery_count, "createdAt": to_iso(row.created_at),
            "deliveredAt": to_iso(row.delivered_at), "updatedAt": to_iso(row.updated_at),
            "completedAt": to_iso(row.completed_at)}


def agent_document(row: Command) -> dict:
    """A command as the agent receives it."""
    return {"id": row.id, "type": row.type, "data": row.data or {}, "createdAt": to_iso(row.created_at)}


def machine_known(site_id: str, machine_id: str) -> bool:
    """True when the machine has sent a heartbeat or has been enrolled at the site."""
    if Machine.select().where((Machine.site == site_id) & (Machine.machine_id == machine_id)).exists():
        return True
    return (OwletteAgentToken.select()
            .where((OwletteAgentToken.site == site_id) & (OwletteAgentToken.machine_id == machine_id)).exists())


def _validate(type_, data) -> dict:
    if type_ not in COMMAND_TYPES:
        raise InvalidInput(f"Unknown command {type_!r}; expected one of: {', '.join(COMMAND_TYPES)}")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("data must be an object")
    import json

    if len(json.dumps(data)) > MAX_DATA_CHARS:
        raise InvalidInput(f"data is larger than {MAX_DATA_CHARS} characters")
    return data


def timeout_seconds(value) -> float:
    """A ``wait`` timeout in seconds: default 30, at most 120, at least 1; then no more than
    ``AGENTDECK_OWLETTE_WAIT_CAP``."""
    if value is None:
        value = DEFAULT_WAIT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput("timeout must be a number of seconds")
    if value < 1 or value > MAX_WAIT:
        raise InvalidInput(f"timeout must be between 1 and {MAX_WAIT} seconds")
    return min(float(value), max(get_settings().owlette_wait_cap, 0.0))


def queue(site_id: str, machine_id: str, type_: str, data=None, *, user=None, deployment_id=None,
          command_id: str | None = None) -> Command:
    """Queue a command (``NotFound`` for a machine the site does not have); returns its row."""
    data = _validate(type_, data)
    if not machine_known(site_id, machine_id):
        raise NotFound("Machine not found")
    now = utcnow()
    with writing():
        row = Command.create(id=command_id or new_command_id(), site=site_id, machine_id=machine_id,
                             type=type_, data=data, status="pending", user_id=_user_id(user),
                             deployment_id=deployment_id, created_at=now, updated_at=now)
    held.wake(("machine", site_id, machine_id))
    events.command_queued(row)
    return row


def _user_id(user):
    if user is None or isinstance(user, str):
        return user
    return getattr(user, "user_id", None) or getattr(user, "id", None)


def get(site_id: str, command_id: str) -> Command:
    """The site's command ``command_id``; ``NotFound`` otherwise."""
    row = Command.get_or_none((Command.id == command_id) & (Command.site == site_id))
    if row is None:
        raise NotFound("Command not found")
    return row


def _outcome(row: Command, timed_out: bool) -> dict:
    answer = {"success": True, "commandId": row.id}
    if row.status in TERMINAL:
        answer.update(status=row.status, result=row.result)
        if row.error:
            answer["error"] = row.error
    elif timed_out:
        answer.update(status="timeout", commandStatus=row.status)
    return answer


def send(site_id: str, machine_id: str, type, data=None, *, user=None, wait: bool = False,
         timeout: float | None = None) -> dict:
    """Queue a command for a machine (online or not) and, with ``wait``, block this thread until
    the agent reports a terminal state or ``timeout`` seconds (≤ 120) pass.

    Returns ``{success, commandId}``; with ``wait`` also ``status`` (the terminal state, or
    ``"timeout"``) and ``result``. For callers on a worker thread (the cortex's tools); request
    handlers on the event loop use ``send_async``, which holds no thread while it waits.
    """
    limit = timeout_seconds(timeout) if wait else 0
    row = queue(site_id, machine_id, type, data, user=user)
    if not wait:
        return {"success": True, "commandId": row.id}
    deadline = time.monotonic() + limit
    while True:
        row = Command.get_by_id(row.id)
        if row.status in TERMINAL or time.monotonic() >= deadline:
            return _outcome(row, row.status not in TERMINAL)
        time.sleep(min(0.1, max(deadline - time.monotonic(), 0)))


async def send_async(site_id: str, machine_id: str, type, data=None, *, user=None, wait: bool = False,
                     timeout: float | None = None) -> dict:
    """``send`` for the event loop: the wait holds neither a thread nor a database connection."""
    limit = timeout_seconds(timeout) if wait else 0
    row = await run_in_threadpool(gives_back_connection(queue), site_id, machine_id, type, data, user=user)
    if not wait:
        return {"success": True, "commandId": row.id}
    return await wait_for_result(site_id, row.id, limit)


async def wait_for_result(site_id: str, command_id: str, limit: float) -> dict:
    """Hold until the command is terminal or ``limit`` seconds pass; its outcome."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    read = gives_back_connection(get)
    with held.watching(("command", command_id)) as changed, stopping.watching(changed):
        while True:
            changed.clear()
            row = await run_in_threadpool(read, site_id, command_id)
            remaining = deadline - loop.time()
            if row.status in TERMINAL or remaining <= 0 or stopping.is_stopping():
                return _outcome(row, row.status not in TERMINAL)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 5.0))


def clear(site_id: str, machine_id: str) -> int:
    """Clear the machine's commands its agent has not taken yet; how many were cleared."""
    now = utcnow()
    with writing():
        count = (Command.update(status="cleared", updated_at=now, completed_at=now)
                 .where((Command.site == site_id) & (Command.machine_id == machine_id)
                        & (Command.status == "pending")).execute())
    return count


def list_commands(site_id: str, machine_id: str | None = None, status: str | None = None,
                  limit: int = 50) -> list[dict]:
    """The site's commands, newest first, optionally of one machine and one status."""
    query = Command.select().where(Command.site == site_id)
    if machine_id:
        query = query.where(Command.machine_id == machine_id)
    if status:
        query = query.where(Command.status == status)
    return [document(row) for row in query.order_by(Command.created_at.desc(), Command.id.desc()).limit(limit)]


# -- the agent's side --------------------------------------------------------------------------

def take_due(site_id: str, machine_id: str, limit: int = MAX_PER_POLL) -> list[dict]:
    """Hand out the machine's pending commands, and those handed out long ago with no report
    since; each is marked delivered (its count of deliveries grows)."""
    now = utcnow()
    stale = now - timedelta(seconds=REDELIVER_SECONDS)
    mine = (Command.site == site_id) & (Command.machine_id == machine_id)
    due = mine & ((Command.status == "pending") | ((Command.status == "delivered") & (Command.delivered_at < stale)))
    if not Command.select().where(due).exists():
        return []
    with writing():
        rows = list(Command.select().where(due).order_by(Command.created_at, Command.id).limit(limit))
        if rows:
            (Command.update(status="delivered", delivered_at=now, updated_at=now,
                            delivery_count=Command.delivery_count + 1)
             .where(Command.id.in_([r.id for r in rows])).execute())
    return [agent_document(row) for row in rows]


async def poll(site_id: str, machine_id: str, wait: float) -> dict:
    """The machine's due commands as ``{commands}``, holding up to ``wait`` seconds for one."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(0.0, min(float(wait), MAX_POLL_HOLD))
    read = gives_back_connection(take_due)
    with held.watching(("machine", site_id, machine_id)) as queued, stopping.watching(queued):
        while True:
            queued.clear()
            found = await run_in_threadpool(read, site_id, machine_id)
            remaining = deadline - loop.time()
            if found or remaining <= 0 or stopping.is_stopping():
                return {"commands": found}
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(queued.wait(), min(remaining, 15.0))


def report(site_id: str, machine_id: str, command_id: str, status: str, result=None, error=None,
           progress=None) -> dict:
    """Record the agent's report on its command.

    ``NotFound`` for a command that is not this machine's; a report on a terminal command is
    accepted again when it repeats the same state (a redelivered command answered twice) and
    ``Conflict`` when it says otherwise.
    """
    if status not in AGENT_STATES:
        raise InvalidInput(f"status must be one of: {', '.join(AGENT_STATES)}")
    if progress is not None and (isinstance(progress, bool) or not isinstance(progress, int)
                                 or not 0 <= progress <= 100):
        raise InvalidInput("progress must be an integer from 0 to 100")
    now = utcnow()
    with writing():
        row = Command.get_or_none((Command.id == command_id) & (Command.site == site_id)
                                  & (Command.machine_id == machine_id))
        if row is None:
            raise NotFound("Command not found")
        if row.status in TERMINAL:
            if row.status == status:
                return {"success": True, "status": row.status}
            raise Conflict(f"Command is already {row.status}")
        row.status = status
        row.updated_at = now
        if result is not None:
            row.result = result
        if error is not None:
            row.error = str(error)[:10_000]
        if progress is not None:
            row.progress = progress
        if status in TERMINAL:
            row.completed_at = now
            if status == "completed" and row.progress is not None:
                row.progress = 100
        row.save()
        events.command_reported(row)
    held.wake(("command", row.id))
    return {"success": True, "status": row.status}


