"""The resource guard: a maintenance sweep is deferred while the server is busy.

The rule: the sweep is deferred (503 ``RESOURCES_BUSY``) while any chat stream is being
answered, by any worker or host, or while the 1-minute load average per CPU is above
``AGENTDECK_AGTOS_MAINTENANCE_MAX_LOAD`` (default 2.0; 0 ignores load). Chat streams are counted
in the database (``ChatStreamInFlight``), one row from a stream's first event to its end.
"""
from __future__ import annotations

import asyncio
import os
import uuid
from contextlib import asynccontextmanager
from datetime import timedelta

from agentdeck import leases
from agentdeck.settings import Settings
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.agtos_entities import ChatStreamInFlight
from agentdeck.timeutil import utcnow

#: A stream row older than this is a dead worker's, not a stream in flight.
STREAM_ROW_TTL = timedelta(hours=1)


@gives_back_connection
def _begin(stream_id: str) -> None:
    with writing():
        ChatStreamInFlight.create(id=stream_id, holder=leases.HOLDER, started_at=utcnow())


@gives_back_connection
def _end(stream_id: str) -> None:
    with writing():
        ChatStreamInFlight.delete().where(ChatStreamInFlight.id == stream_id).execute()


@asynccontextmanager
async def chat_stream_in_flight():
    """Count one chat stream for the guard while the block runs."""
    stream_id = str(uuid.uuid4())
    await asyncio.to_thread(_begin, stream_id)
    try:
        yield
    finally:
        await asyncio.shield(asyncio.to_thread(_end, stream_id))


def streams_in_flight() -> int:
    """Chat streams being answered now, across workers and hosts."""
    return (ChatStreamInFlight.select()
            .where(ChatStreamInFlight.started_at > utcnow() - STREAM_ROW_TTL).count())


def busy_reason(settings: Settings | None = None) -> str | None:
    """Why a sweep must wait now (``active sessions: 2``, ``high load: 3.10 per CPU``), or None."""
    streams = streams_in_flight()
    if streams:
        return f"active sessions: {streams}"
    limit = (settings or Settings.from_env()).agtos_maintenance_max_load
    if limit > 0:
        per_cpu = os.getloadavg()[0] / (os.cpu_count() or 1)
        if per_cpu > limit:
            return f"high load: {per_cpu:.2f} per CPU"
    return None
