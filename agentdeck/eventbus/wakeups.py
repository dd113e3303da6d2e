"""Wake-ups across workers for readers of a database outbox.

A writer calls ``notify(channel, payload)`` inside its transaction; on PostgreSQL that is a
``pg_notify``, delivered to listeners when the transaction commits, and on SQLite nothing.
A reader holds a ``Wakeup`` for the channel: on PostgreSQL it ``LISTEN``s on a connection of
its own and ``wait()`` returns as soon as a matching notification arrives (or after a slow poll,
in case one was missed or the listening connection broke); on SQLite ``wait()`` is a short poll.
Readers always re-read the outbox after ``wait()``: a wake-up says "look", never what changed.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Callable

from agentdeck.storage.db import database, is_postgres

log = logging.getLogger("agentdeck.eventbus.wakeups")
SQLITE_POLL_SECONDS = 0.1
POSTGRES_POLL_SECONDS = 5.0


def notify(channel: str, payload: str = "") -> None:
    """Wake the listeners of ``channel`` when the current transaction commits (PostgreSQL only)."""
    if is_postgres():
        database.execute_sql("SELECT pg_notify(%s, %s)", (channel, payload))


def _listener_connection(channel: str):
    import psycopg2

    db = database.obj
    conn = psycopg2.connect(dbname=db.database, **db.connect_params)
    conn.autocommit = True
    conn.cursor().execute(f"LISTEN {channel}")
    return conn


class Wakeup:
    """Waits for notifications on ``channel`` whose payload ``wants`` (default: any).

    Use as ``async with Wakeup(channel) as wakeup:``, read the outbox, then ``await
    wakeup.wait()`` before reading again. Entering listens before returning, so a reader that
    reads its position after entering misses nothing committed in between.
    """

    def __init__(self, channel: str, wants: Callable[[str], bool] | None = None, *,
                 sqlite_poll: float = SQLITE_POLL_SECONDS, postgres_poll: float = POSTGRES_POLL_SECONDS):
        self.channel = channel
        self.wants = wants or (lambda payload: True)
        self.sqlite_poll = sqlite_poll
        self.postgres_poll = postgres_poll
        self._listener = None
        self._woken = asyncio.Event()

    @property
    def listening(self) -> bool:
        """True while notifications can wake this reader (PostgreSQL, connection alive)."""
        return self._listener is not None

    async def __aenter__(self) -> "Wakeup":
        if is_postgres():
            self._listener = await asyncio.to_thread(_listener_connection, self.channel)
            asyncio.get_running_loop().add_reader(self._listener.fileno(), self._on_notify)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._listener.fileno())
                self._listener.close()
            self._listener = None

    def wake(self) -> None:
        """Wake the waiting reader from this process (a local writer, a shutdown)."""
        self._woken.set()

    async def wait(self, timeout: float | None = None) -> None:
        """Return on a wake-up, after the poll interval, or after ``timeout`` if that is sooner."""
        poll = self.postgres_poll if self._listener is not None else self.sqlite_poll
        if timeout is not None:
            poll = max(0.0, min(poll, timeout))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._woken.wait(), poll)
        self._woken.clear()

    def _on_notify(self) -> None:
        conn = self._listener
        try:
            conn.poll()
        except Exception:  # the listening connection broke: carry on by polling
            log.warning("channel %s: listener lost; polling instead", self.channel)
            asyncio.get_running_loop().remove_reader(conn.fileno())
            with contextlib.suppress(Exception):
                conn.close()
            self._listener = None
            self._woken.set()
            return
        while conn.notifies:
            if self.wants(conn.notifies.pop(0).payload):
                self._woken.set()
