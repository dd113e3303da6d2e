"""Group commit for the ingest hot path on SQLite.

SQLite lets one connection write at a time; a connection that finds the database locked sleeps
in growing steps (1, 2, 5, 10 ms ...) before trying again. With many SDK clients streaming steps
through a thread pool, those sleeps, not the writes, set the latency. So on SQLite each process
funnels its ingest writes through one queue: the first thread to take the writer lock commits
every write queued so far in one transaction (each in its own savepoint, so that one failing
write fails alone), and the threads whose writes rode along just collect their results. Between
processes (gunicorn workers) the committing threads take turns on an exclusive ``flock`` of a
file beside the database, which wakes the next one the moment the lock is free instead of after
SQLite's next sleep step. PostgreSQL takes concurrent writers well, so there each write simply
runs in its own transaction.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from typing import Callable, TypeVar

from agentdeck.storage.db import database, is_postgres

T = TypeVar("T")


class _QueuedWrite:
    __slots__ = ("write", "done", "value", "error")

    def __init__(self, write: Callable):
        self.write, self.done, self.value, self.error = write, False, None, None

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.value


class GroupCommit:
    """One per process: ``run(write)`` returns once ``write()`` is committed."""

    def __init__(self):
        self._writer = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[_QueuedWrite] = []

    def run(self, write: Callable[[], T]) -> T:
        """Run ``write`` (a function of database writes) and commit it; returns its result."""
        if is_postgres():
            with database.atomic():
                return write()
        item = _QueuedWrite(write)
        with self._queue_lock:
            self._queue.append(item)
        with self._writer:
            if not item.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        return item.outcome()

    @staticmethod
    def _commit(batch: list[_QueuedWrite]) -> None:
        try:
            with _between_processes(), database.atomic("IMMEDIATE"):
                for item in batch:
                    try:
                        with database.atomic():
                            item.value = item.write()
                    except Exception as exc:  # handed to the thread that queued this write
                        item.error = exc
        except Exception as exc:  # the commit itself failed: every write of the batch failed
            for item in batch:
                item.error = item.error or exc
        finally:
            for item in batch:
                item.done = True


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
