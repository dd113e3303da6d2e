"""Intervention commands: an operator queues them for a live run, its SDK long-polls them.

Each run's commands carry a cursor (1, 2, 3 ... in commit order); the SDK polls
``GET /runs/{run_id}/commands?cursor=<last seen>`` and gets every command after it. With
nothing queued the poll is held open until a command is queued or the hold time passes, then
answered with no commands: the published SDK polls again at once and does not back off on
errors, so an immediate answer (or a 404) would turn its poll loop into a busy loop.

A held poll keeps neither a database connection nor a worker thread: it re-reads the database
every few moments from the event loop (a command queued by another process is seen within that
interval) and is woken at once by commands queued in this process.
"""
from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading

import peewee
from starlette.concurrency import run_in_threadpool

from agentdeck import stopping
from agentdeck.errors import Conflict, InvalidInput, NotFound
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.augur_commands import AugurCommand
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.augur.principals import IngestClient, Viewer
from agentdeck.augur.runs import get_run, run_pk, session_status

COMMAND_TYPES = ("pause", "resume", "kill", "inject_hint", "override_action")
HOLD_ENV, DEFAULT_HOLD = "AGENTDECK_AUGUR_COMMAND_HOLD_SECONDS", 10.0
CHECK_ENV, DEFAULT_CHECK = "AGENTDECK_AUGUR_COMMAND_CHECK_SECONDS", 1.0
MAX_HINT_CHARS = 10_000
MAX_PER_ANSWER = 100
_QUEUE_ATTEMPTS = 20


def _seconds(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env) or default)
    except ValueError:
        return default
    return value if math.isfinite(value) and value >= 0 else default


def hold_seconds() -> float:
    """How long a poll with nothing to deliver is held open (``AGENTDECK_AUGUR_COMMAND_HOLD_SECONDS``,
    default 10; below the published SDK's 30-second read timeout)."""
    return _seconds(HOLD_ENV, DEFAULT_HOLD)


def check_seconds() -> float:
    """How often a held poll re-reads the database (``AGENTDECK_AUGUR_COMMAND_CHECK_SECONDS``, default 1)."""
    return max(_seconds(CHECK_ENV, DEFAULT_CHECK), 0.01)


# -- validation --------------------------------------------------------------------------------

def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _hint_payload(payload: dict) -> dict:
    text = payload.get("text")
    if set(payload) != {"text"} or not isinstance(text, str) or not text.strip():
        raise InvalidInput("inject_hint takes a payload {\"text\": \"<non-empty hint>\"} and nothing else")
    if len(text) > MAX_HINT_CHARS:
        raise InvalidInput(f"inject_hint text is longer than {MAX_HINT_CHARS} characters")
    return {"text": text}


def _override_payload(payload: dict) -> dict:
    coordinates = payload.get("coordinates")
    if (set(payload) != {"coordinates"} or not isinstance(coordinates, dict)
            or set(coordinates) != {"x", "y"} or not all(_number(v) for v in coordinates.values())):
        raise InvalidInput("override_action takes a payload {\"coordinates\": {\"x\": <number>, \"y\": <number>}} "
                           "and nothing else")
    return {"coordinates": {"x": coordinates["x"], "y": coordinates["y"]}}


def validate_command(command_type, payload) -> dict | None:
    """The payload to store for a command of ``command_type``, or ``InvalidInput``.

    ``pause``, ``resume`` and ``kill`` take no payload (absent, null or ``{}``); ``inject_hint``
    takes ``{text}``; ``override_action`` takes ``{coordinates: {x, y}}``, as the SDK reads them.
    """
    if command_type not in COMMAND_TYPES:
        raise InvalidInput(f"unknown command type {command_type!r}; expected one of {', '.join(COMMAND_TYPES)}")
    if payload is not None and not isinstance(payload, dict):
        raise InvalidInput("payload must be an object")
    if command_type == "inject_hint":
        return _hint_payload(payload or {})
    if command_type == "override_action":
        return _override_payload(payload or {})
    if payload:
        raise InvalidInput(f"{command_type} takes no payload")
    return None


# -- queueing ----------------------------------------------------------------------------------

def _document(row: AugurCommand) -> dict:
    """A command as the SDK reads it; ``command_id`` is its cursor."""
    document = {"command_id": str(row.seq), "type": row.type, "issued_at": to_iso(row.issued_at)}
    if row.operator_id:
        document["operator_id"] = row.operator_id
    if row.payload is not None:
        document["payload"] = row.payload
    return document


def _ensure_live(run) -> None:
    status = session_status(run.trace)
    if status is not None and status != "running":
        raise Conflict(f"run {run.run_id!r} has ended (status {status!r}); it no longer takes commands")


def _insert_next(run_pk_value: int, command_type: str, payload, operator_id) -> AugurCommand:
    with writing():
        last = (AugurCommand.select(peewee.fn.MAX(AugurCommand.seq))
                .where(AugurCommand.run == run_pk_value).scalar())
        return AugurCommand.create(run=run_pk_value, seq=(last or 0) + 1, type=command_type,
                                   payload=payload, operator_id=operator_id, issued_at=utcnow())


def queue_command(tenant_id: str, run_id: str, command_type, payload=None,
                  operator_id: str | None = None) -> dict:
    """Queue a command for the tenant's run ``run_id``; returns it as the SDK will receive it.

    ``NotFound`` for a run the tenant does not have, ``Conflict`` for a run whose trace says it
    has ended, ``InvalidInput`` for an unknown type or a payload the type does not take.
    """
    payload = validate_command(command_type, payload)
    run = get_run(tenant_id, run_id)
    _ensure_live(run)
    for attempt in range(_QUEUE_ATTEMPTS):
        try:
            row = _insert_next(run.id, command_type, payload, operator_id)
            break
        except peewee.IntegrityError:  # a concurrent command took this number; take the next
            if attempt == _QUEUE_ATTEMPTS - 1:
                raise
    _waiters.wake((tenant_id, run_id))
    return _document(row)


def queue_for_viewer(viewer: Viewer, run_id: str, command_type, payload=None) -> dict:
    """``queue_command`` for a signed-in viewer of the active tenant; the operator is their user id.

    Not their e-mail: the SDK's default redaction masks e-mail addresses in the decision event
    that records each command, which would leave the run's trail without its operator.
    """
    return queue_command(viewer.tenant_id, run_id, command_type, payload, viewer.user_id)


def commands_after(tenant_id: str, run_id: str, after: int, limit: int = MAX_PER_ANSWER) -> list[dict]:
    """The run's commands with a cursor above ``after``, oldest first (none for an unknown run)."""
    try:
        pk = run_pk(tenant_id, run_id)
    except NotFound:
        return []
    query = (AugurCommand.select().where((AugurCommand.run == pk) & (AugurCommand.seq > after))
             .order_by(AugurCommand.seq).limit(limit))
    return [_document(row) for row in query]


# -- the long-poll -----------------------------------------------------------------------------

class _Waiters:
    """Held polls of this process, by (tenant id, run id), so a command queued here wakes them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_run: dict[tuple[str, str], set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    @contextlib.contextmanager
    def watching(self, key: tuple[str, str]):
        """An event set whenever a command is queued for ``key`` while the block runs."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._by_run.setdefault(key, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                entries = self._by_run.get(key, set())
                entries.discard(entry)
                if not entries:
                    self._by_run.pop(key, None)

    def wake(self, key: tuple[str, str]) -> None:
        """Wake every poll held for ``key``; callable from any thread."""
        with self._lock:
            entries = list(self._by_run.get(key, ()))
        for loop, event in entries:
            with contextlib.suppress(RuntimeError):  # that loop has closed: nobody is waiting
                loop.call_soon_threadsafe(event.set)


_waiters = _Waiters()


def parse_cursor(cursor: str | None) -> int:
    """The number a cursor stands for; none (or empty) is 0, before the first command."""
    if not cursor:
        return 0
    try:
        return int(cursor)
    except ValueError:
        raise InvalidInput(f"cursor {cursor!r} is not one this server handed out") from None


async def poll_commands(client: IngestClient, run_id: str, cursor: str | None = None) -> dict:
    """The run's commands after ``cursor`` as ``{commands, cursor}``, waiting up to the hold time
    for one to be queued; with none, ``commands`` is empty and ``cursor`` the one sent.

    A run not opened yet is polled like any other: it simply has no commands.
    """
    after = parse_cursor(cursor)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + hold_seconds()
    read = gives_back_connection(commands_after)
    with _waiters.watching((client.tenant_id, run_id)) as queued, stopping.watching(queued):
        while True:
            queued.clear()  # before the read: a command committed after it sets the event again
            found = await run_in_threadpool(read, client.tenant_id, run_id, after)
            if found:
                return {"commands": found, "cursor": found[-1]["command_id"]}
            remaining = deadline - loop.time()
            if remaining <= 0 or stopping.is_stopping():  # a stopping server holds no poll
                return {"commands": [], "cursor": cursor or None}
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(queued.wait(), min(remaining, check_seconds()))
