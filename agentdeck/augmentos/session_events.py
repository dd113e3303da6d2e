"""Events for app sessions' TPA sockets, delivered across workers.

A transcript POST and the app's WebSocket may be served by different workers or hosts, so events
go through the database: ``publish`` appends a row to an outbox table (in the caller's
transaction, so an event exists exactly when what it reports was committed), and a
``SessionFeed`` held by the socket task reads the rows after the last one it saw. On PostgreSQL a
``NOTIFY`` wakes the feeds at once (they ``LISTEN`` on their own connection, and still poll
slowly in case a notification was missed); on SQLite the feeds poll at a short interval.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import peewee

from agentdeck.eventbus import wakeups
from agentdeck.eventbus.wakeups import Wakeup
from agentdeck.storage.db import database, gives_back_connection, is_postgres, writing
from agentdeck.storage.models.augmentos import AppSessionEvent
from agentdeck.timeutil import utcnow

log = logging.getLogger("agentdeck.augmentos.session_events")
CHANNEL = "augmentos_session_events"
SQLITE_POLL_SECONDS = 0.1
POSTGRES_POLL_SECONDS = 5.0
KEEP_SECONDS = 600
_LOCK_CLASS = 0x616F7365  # "aose": advisory locks ordering one session's events


def publish(session_id: str, kind: str, data: dict) -> None:
    """Record an event for ``session_id``'s socket; feeds on any worker see it once committed."""
    with writing():
        if is_postgres():
            # One session's events commit in id order (a lock held to the end of the caller's
            # transaction), so a feed that has read past an id can have missed none below it.
            # SQLite's writers already take turns.
            database.execute_sql("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, session_id))
        AppSessionEvent.create(session_id=session_id, kind=kind, data=data)
        wakeups.notify(CHANNEL, session_id)


def prune_events(keep_seconds: float = KEEP_SECONDS) -> int:
    """Sweep: drop events older than ``keep_seconds`` (a socket reads its events within a poll,
    and events posted while no socket was open are for no one)."""
    cutoff = utcnow() - timedelta(seconds=keep_seconds)
    return AppSessionEvent.delete().where(AppSessionEvent.created_at < cutoff).execute()


@gives_back_connection
def _open_position(session_id: str) -> int:
    return (AppSessionEvent.select(peewee.fn.MAX(AppSessionEvent.id))
            .where(AppSessionEvent.session_id == session_id).scalar() or 0)


@gives_back_connection
def _events_after(session_id: str, after: int) -> list[AppSessionEvent]:
    return list(AppSessionEvent.select()
                .where((AppSessionEvent.session_id == session_id) & (AppSessionEvent.id > after))
                .order_by(AppSessionEvent.id))


class SessionFeed:
    """The events published for one session after the feed opened, in order.

    Use as ``async with SessionFeed(session_id) as feed:`` then ``await feed.next()``.
    """

    def __init__(self, session_id: str):
        self.session_id = session_id
        self.after = 0
        self._wakeup = Wakeup(CHANNEL, lambda payload: payload == session_id,
                              sqlite_poll=SQLITE_POLL_SECONDS, postgres_poll=POSTGRES_POLL_SECONDS)

    async def __aenter__(self) -> "SessionFeed":
        # Listening before reading the position: nothing committed in between is missed.
        await self._wakeup.__aenter__()
        self.after = await asyncio.to_thread(_open_position, self.session_id)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._wakeup.__aexit__(*exc)

    async def next(self) -> list[tuple[str, dict]]:
        """Wait for the next events of this session; returns them as ``(kind, data)`` pairs."""
        while True:
            rows = await asyncio.to_thread(_events_after, self.session_id, self.after)
            if rows:
                self.after = rows[-1].id
                return [(row.kind, row.data) for row in rows]
            await self._wakeup.wait()
