"""Group commit for the ingest hot path on SQLite.

SQLite lets one connection write at a time; a connection that finds the database locked sleeps
in growing steps (1, 2, 5, 10 ms ...) before trying again. With many SDK clients streaming steps,
those sleeps, not the writes, would set the latency. So on SQLite each process hands its ingest
writes to one writer thread, which commits every write queued so far in one transaction (each in
its own savepoint, so that one failing write fails alone). Between processes (gunicorn workers)
the writer threads take turns on an exclusive ``flock`` of a file beside the database, which wakes
the next one the moment the lock is free instead of after SQLite's next sleep step.

Callers on the event loop ``await submit(write)``, so a streamed step costs no thread hop of its
own; code already on a worker thread calls ``run(write)``. PostgreSQL takes concurrent writers
well, so there each write simply runs in its own transaction on a worker thread.
"""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import threading
from typing import Callable, TypeVar

from starlette.concurrency import run_in_threadpool

from agentdeck.storage.db import database, gives_back_connection, is_postgres, release_connection

T = TypeVar("T")
log = logging.getLogger("agentdeck.augur.group_commit")


class _QueuedWrite:
    __slots__ = ("write", "settle", "value", "error")

    def __init__(self, write: Callable, settle: Callable[["_QueuedWrite"], None]):
        self.write, self.settle, self.value, self.error = write, settle, None, None

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

    async def submit(self, write: Callable[[], T]) -> T:
        """Commit ``write()`` (a function of database writes) and return its result."""
        if is_postgres():
            return await run_in_threadpool(gives_back_connection(_in_transaction), write)
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._enqueue(_QueuedWrite(write, lambda item: loop.call_soon_threadsafe(_resolve, future, item)))
        return await future

    def run(self, write: Callable[[], T]) -> T:
        """``submit`` for callers on a worker thread: blocks until ``write()`` is committed."""
        if is_postgres():
            return _in_transaction(write)
        done = threading.Event()
        item = _QueuedWrite(write, lambda _: done.set())
        self._enqueue(item)
        done.wait()
        return item.outcome()

    def _enqueue(self, item: _QueuedWrite) -> None:
        with self._ready:
            self._queue.append(item)
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_forever, name="augur-ingest-writer",
                                                daemon=True)
                self._writer.start()
            elif self._writer_waiting:  # a busy writer takes this write with its next batch
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
                _commit(batch)
            finally:
                release_connection()
                for item in batch:
                    item.settle(item)


def _in_transaction(write: Callable[[], T]) -> T:
    with database.atomic():
        return write()


def _resolve(future: asyncio.Future, item: _QueuedWrite) -> None:
    if future.cancelled():
        return
    if item.error is not None:
        future.set_exception(item.error)
    else:
        future.set_result(item.value)


def _commit(batch: list[_QueuedWrite]) -> None:
    try:
        with _between_processes(), database.atomic("IMMEDIATE"):
            for item in batch:
                try:
                    with database.atomic():
                        item.value = item.write()
                except Exception as exc:  # handed to the caller that queued this write
                    item.error = exc
    except Exception as exc:  # the commit itself failed: every write of the batch failed
        log.warning("ingest batch of %d write(s) failed: %s", len(batch), exc)
        for item in batch:
            item.error = item.error or exc


@contextlib.contextmanager
def _between_processes():
    """Hold the exclusive lock of the file beside the SQLite database (none for ``:memory:``)."""
    path = getattr(database.obj, "database", "")
    if not path or path == ":memory:":
        yield
        return
    fd = os.open(f"{path}-ingest.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


ingest_writes = GroupCommit()
