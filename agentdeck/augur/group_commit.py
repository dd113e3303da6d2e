"""Group commit for the ingest hot path on SQLite.

SQLite lets one connection write at a time; a connection that finds the database locked sleeps
in growing steps (1, 2, 5, 10 ms ...) before trying again. With many SDK clients streaming steps,
those sleeps, not the writes, would set the latency. So on SQLite each process hands its ingest
writes to one writer thread, which commits every write queued so far in one transaction (should
one of them fail, each is then committed alone, so that only it fails). Each batch is one
``storage.db.writing()`` transaction, the write facility every surface uses, which also makes
processes (gunicorn workers) take turns.

Callers on the event loop ``await submit(write)``: the writes one loop iteration submits are
handed over together, and a batch's results come back to the loop in one call, so a streamed
step costs neither a thread hop nor a thread wake-up of its own. Code already on a worker thread
calls ``run(write)``. PostgreSQL takes concurrent writers well, so there each write simply runs
in its own transaction on a worker thread.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Callable, TypeVar

from starlette.concurrency import run_in_threadpool

from agentdeck.storage.db import database, gives_back_connection, is_postgres, writing

T = TypeVar("T")
log = logging.getLogger("agentdeck.augur.group_commit")


class _QueuedWrite:
    """A write waiting for its batch; ``future`` (async callers) or ``done`` (threads) wait on it."""

    __slots__ = ("write", "future", "done", "value", "error")

    def __init__(self, write: Callable, future: asyncio.Future | None = None,
                 done: threading.Event | None = None):
        self.write, self.future, self.done = write, future, done
        self.value, self.error = None, None

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.value


class GroupCommit:
    """One per process: a queue of writes and the thread that commits them in groups."""

    def __init__(self):
        self._ready = threading.Condition()
        self._queue: list[_QueuedWrite] = []
        self._writer: threading.Thread | None = None
        self._writer_waiting = False
        self._from_loop: dict[asyncio.AbstractEventLoop, list[_QueuedWrite]] = {}
        self._last_db = None  # the database the writer's connection belongs to

    async def submit(self, write: Callable[[], T]) -> T:
        """Commit ``write()`` (a function of database writes) and return its result."""
        if is_postgres():
            return await run_in_threadpool(gives_back_connection(_in_transaction), write)
        loop = asyncio.get_running_loop()
        item = _QueuedWrite(write, future=loop.create_future())
        pending = self._from_loop.setdefault(loop, [])
        if not pending:
            loop.call_soon(self._hand_over, loop)
        pending.append(item)
        return await item.future

    def run(self, write: Callable[[], T]) -> T:
        """``submit`` for callers on a worker thread: blocks until ``write()`` is committed."""
        if is_postgres():
            return _in_transaction(write)
        item = _QueuedWrite(write, done=threading.Event())
        self._enqueue([item])
        item.done.wait()
        return item.outcome()

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        items = self._from_loop.pop(loop, [])
        if items:
            self._enqueue(items)

    def _enqueue(self, items: list[_QueuedWrite]) -> None:
        with self._ready:
            self._queue.extend(items)
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_forever, name="augur-ingest-writer",
                                                daemon=True)
                self._writer.start()
            elif self._writer_waiting:  # a busy writer takes these with its next batch
                self._ready.notify()

    def _write_forever(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._writer_waiting = True
                    self._ready.wait()
                    self._writer_waiting = False
                batch, self._queue = self._queue, []
            try:
                self._keep_connection_current()
                _commit(batch)
            except Exception as exc:  # the lock or the connection failed: so did every write
                log.warning("ingest batch of %d write(s) failed: %s", len(batch), exc)
                for item in batch:
                    item.error = item.error or exc
            finally:
                _settle(batch)

    def _keep_connection_current(self) -> None:
        """The writer never exits, so it keeps its connection, unless the database was replaced."""
        if self._last_db is not None and self._last_db is not database.obj:
            self._last_db.close()
        self._last_db = database.obj


def _in_transaction(write: Callable[[], T]) -> T:
    with writing():
        return write()


def _commit(batch: list[_QueuedWrite]) -> None:
    """Commit the batch in one transaction; when any write fails, roll back and commit each
    write alone, so that only the failing one fails (writes are plain functions of the
    database, safe to run again)."""
    try:
        with writing():
            for item in batch:
                item.value = item.write()
        return
    except Exception as exc:  # noqa: F841  (the writes are retried one by one below)
        if len(batch) == 1:
            batch[0].error = exc
            return
    for item in batch:
        try:
            with writing():
                item.value = item.write()
        except Exception as exc:  # handed to the caller that queued this write
            item.error = exc


def _settle(batch: list[_QueuedWrite]) -> None:
    """Wake every caller of a committed batch: threads directly, each event loop once."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_QueuedWrite]] = {}
    for item in batch:
        if item.future is not None:
            by_loop.setdefault(item.future.get_loop(), []).append(item)
        else:
            item.done.set()
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, items)
        except RuntimeError:  # that loop has closed; nobody is waiting any more
            pass


def _resolve(items: list[_QueuedWrite]) -> None:
    for item in items:
        if item.future.cancelled():
            continue
        if item.error is not None:
            item.future.set_exception(item.error)
        else:
            item.future.set_result(item.value)


ingest_writes = GroupCommit()
