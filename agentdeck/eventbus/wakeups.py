"""Wake-ups across workers for readers of a database outbox.

A writer calls ``notify(channel, payload)`` inside its transaction; on PostgreSQL that is a
``pg_notify``, delivered to listeners when the transaction commits, and on SQLite nothing.
A reader holds a ``Wakeup`` for the channel: on PostgreSQL it ``LISTEN``s on a connection of
its own and ``wait()`` returns as soon as a matching notification arrives (or after a slow poll,
in case one was missed or the listening connection broke); on SQLite ``wait()`` is a short poll.
Readers always re-read the outbox after ``wait()``: a wake-up says "look", never what changed.

The readers of one channel in one process share one listening connection (``_SharedListener``):
a server holding thousands of readers (AugmentOS app sockets, long-polls) holds one PostgreSQL
connection per channel and worker for them, not one each.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Callable
from weakref import WeakKeyDictionary

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


class _SharedListener:
    """One ``LISTEN`` connection of this event loop for ``channel``, fanned out to its readers."""

    def __init__(self, channel: str, connection, loop: asyncio.AbstractEventLoop):
        self.channel = channel
        self.connection = connection
        self.loop = loop
        self.readers: set["Wakeup"] = set()
        loop.add_reader(connection.fileno(), self._on_notify)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self.connection.fileno())
        with contextlib.suppress(Exception):
            self.connection.close()

    def _on_notify(self) -> None:
        try:
            self.connection.poll()
        except Exception:  # the listening connection broke: its readers carry on by polling
            log.warning("channel %s: listener lost; polling instead", self.channel)
            _forget(self)
            for reader in list(self.readers):
                reader._lost_listener()
            return
        payloads = [n.payload for n in self.connection.notifies]
        self.connection.notifies.clear()
        for reader in list(self.readers):
            if any(reader.wants(payload) for payload in payloads):
                reader._woken.set()


# Per event loop: channel -> its shared listener, and the lock that makes only one of them.
_listeners: "WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _SharedListener]]" = WeakKeyDictionary()
_opening: "WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = WeakKeyDictionary()


def _forget(listener: _SharedListener) -> None:
    by_channel = _listeners.get(listener.loop, {})
    if by_channel.get(listener.channel) is listener:
        del by_channel[listener.channel]
    listener.close()


async def _join(channel: str, reader: "Wakeup") -> _SharedListener:
    loop = asyncio.get_running_loop()
    lock = _opening.setdefault(loop, asyncio.Lock())
    async with lock:
        by_channel = _listeners.setdefault(loop, {})
        listener = by_channel.get(channel)
        if listener is None:
            connection = await asyncio.to_thread(_listener_connection, channel)
            listener = by_channel[channel] = _SharedListener(channel, connection, loop)
        listener.readers.add(reader)
        return listener


def _leave(listener: _SharedListener, reader: "Wakeup") -> None:
    listener.readers.discard(reader)
    if not listener.readers:
        _forget(listener)


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
        self._listener: _SharedListener | None = None
        self._woken = asyncio.Event()

    @property
    def listening(self) -> bool:
        """True while notifications can wake this reader (PostgreSQL, connection alive)."""
        return self._listener is not None

    async def __aenter__(self) -> "Wakeup":
        if is_postgres():
            self._listener = await _join(self.channel, self)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._listener is not None:
            _leave(self._listener, self)
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

    def _lost_listener(self) -> None:
        self._listener = None
        self._woken.set()
