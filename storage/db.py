"""Database setup: one ``DatabaseProxy`` that every model binds to, initialised from a URL.

SQLite (WAL, pooled) in the data directory is the default; a ``postgresql://`` URL switches to
PostgreSQL with no code change. Connections are pooled per process and held per thread.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import peewee
from playhouse.db_url import parse
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase
from playhouse.shortcuts import ReconnectMixin

database = peewee.DatabaseProxy()

_SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 15000,
    "cache_size": -16000,
}

_init_lock = threading.Lock()


class BaseModel(peewee.Model):
    """Every agentdeck model: bound to the proxy; subclasses set an explicit ``table_name``."""

    class Meta:
        database = database
        legacy_table_names = False


class _ReclaimsFromExitedThreads:
    """Pool mixin: a connection checked out by a thread that has since exited is reclaimed.

    Plain-``def`` handlers and security checks run on anyio worker threads, which exit after a
    while idle; a connection such a thread still held would otherwise stay "in use" for ever,
    until the pool was exhausted and every request waited. The connection is closed rather than
    reused, since its thread may have left it inside a transaction.
    """

    def _connect(self):
        with self._pool_lock:
            owners = self.__dict__.setdefault("_owners", {})
            for key, owner in list(owners.items()):
                if not owner.is_alive():
                    del owners[key]
                    held = self._in_use.pop(key, None)
                    if held is not None:
                        self._close_raw(held.connection)
            conn = super()._connect()
            owners[self.conn_key(conn)] = threading.current_thread()
            return conn

    def _close(self, conn, close_conn=False):
        with self._pool_lock:
            self.__dict__.setdefault("_owners", {}).pop(self.conn_key(conn), None)
        return super()._close(conn, close_conn)


class PooledSqlite(_ReclaimsFromExitedThreads, PooledSqliteDatabase):
    """SQLite, pooled, reclaiming connections of exited threads."""


class PooledPostgresql(ReconnectMixin, _ReclaimsFromExitedThreads, PooledPostgresqlDatabase):
    """PostgreSQL, pooled, reclaiming connections of exited threads.

    peewee checks every pooled connection on check-out with a ``SELECT 1`` round trip, made
    while holding the pool's process-wide lock: about a fifth of a request's thread time on a
    simple read. Here only a connection idle for ``PING_AFTER`` seconds is pinged; one used
    since is trusted on its local transaction status, and should the server have closed it
    meanwhile, a statement outside a transaction reconnects and runs again (peewee's
    ``ReconnectMixin``, with PostgreSQL's disconnect messages).
    """

    PING_AFTER = 30.0
    reconnect_errors = (
        (peewee.OperationalError, "server closed the connection"),
        (peewee.OperationalError, "terminating connection"),
        (peewee.OperationalError, "connection is closed"),
        (peewee.OperationalError, "could not receive data from server"),
        (peewee.InterfaceError, "connection already closed"),
    )

    def _is_closed(self, conn):
        released = self.__dict__.get("_released", {}).get(self.conn_key(conn))
        if (released is not None and time.monotonic() - released < self.PING_AFTER
                and not conn.closed and self._adapter.txn_status(conn) == self._adapter.txn_idle):
            return False
        return super()._is_closed(conn)  # a round trip (or a rollback of what was left open)

    def _close(self, conn, close_conn=False):
        self.__dict__.setdefault("_released", {})[self.conn_key(conn)] = time.monotonic()
        return super()._close(conn, close_conn)


def connect_database(url: str, max_connections: int = 64) -> peewee.Database:
    """A pooled peewee database for ``url``, creating the SQLite file's folder when needed."""
    scheme = url.partition("://")[0]
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:// or postgresql://")
    params = parse(url)
    pool = {"max_connections": max_connections, "stale_timeout": 300, "timeout": 30}
    if scheme == "sqlite":
        path = urlparse(url).path
        if path and path not in {"/:memory:", ":memory:"}:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return PooledSqlite(params.pop("database"), pragmas=_SQLITE_PRAGMAS, check_same_thread=False,
                            **pool, **params)
    return PooledPostgresql(params.pop("database"), **pool, **params)


def init_db(url_or_db: str | peewee.Database, max_connections: int = 64) -> peewee.Database:
    """Point the proxy at a database given as a URL or as a peewee ``Database``; returns it."""
    db = url_or_db if isinstance(url_or_db, peewee.Database) else connect_database(url_or_db, max_connections)
    with _init_lock:
        previous = database.obj
        database.initialize(db)
        if previous is not None and previous is not db:
            _close_unused(previous)
    return db


def _close_unused(previous: peewee.Database) -> None:
    # Only the idle connections and this thread's: closing a connection another thread is using
    # (a scheduler tick, a request still finishing) crashes the sqlite3 module outright. Those
    # close with the old pool object once nothing refers to it (their threads give back through
    # the proxy, which already names the new database).
    previous.close()
    if hasattr(previous, "close_idle"):
        previous.close_idle()


def is_postgres(db: peewee.Database | None = None) -> bool:
    """True when the (given or current) database is PostgreSQL."""
    return isinstance(db or database.obj, peewee.PostgresqlDatabase)


def ping() -> bool:
    """True when the database answers a trivial query."""
    try:
        database.execute_sql("SELECT 1").fetchone()
        return True
    except Exception:  # any driver failure means "not reachable" to a health check
        database.close() if not database.is_closed() else None
        return False


_process_writers = threading.RLock()
_lock_files: dict[str, int] = {}  # SQLite database path -> descriptor of its write-lock file


@contextlib.contextmanager
def writing():
    """The one way to write: a transaction holding the database's write lock from its start.

    On SQLite, a transaction that reads before it writes (peewee's default ``BEGIN``) fails at
    once with "database is locked" when another connection wrote in between: SQLite cannot
    upgrade its read snapshot and does not wait in the busy handler for that. So a write here
    is ``BEGIN IMMEDIATE``, taken in turn: this process's writers queue on a lock, and processes
    (gunicorn workers) on an exclusive ``flock`` of a file beside the database, which wakes the
    next writer the moment the lock is free, where SQLite's busy handler sleeps up to 100 ms at
    a time. Nested use is a savepoint. On PostgreSQL this is a plain transaction.
    """
    if database.in_transaction() or is_postgres():
        with database.atomic():
            yield
        return
    with _process_writers, _between_processes(), database.atomic("IMMEDIATE"):
        yield


@contextlib.contextmanager
def _between_processes():
    path = getattr(database.obj, "database", "")
    if not path or path == ":memory:":
        yield
        return
    fd = _lock_files.get(path)
    if fd is None:
        fd = _lock_files[path] = os.open(f"{path}-write.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _forget_lock_files() -> None:
    # A descriptor inherited across fork shares its lock with the parent: each process opens its own.
    _lock_files.clear()


os.register_at_fork(after_in_child=_forget_lock_files)


def release_connection() -> None:
    """Return this thread's connection to the pool (call at the end of a unit of work)."""
    if database.obj is not None and not database.is_closed():
        database.close()


def gives_back_connection(func):
    """Decorator for code run on worker threads (plain-``def`` handlers, security checks):
    return the thread's connection to the pool when ``func`` ends.

    anyio's worker threads exit after a while idle, and a connection still checked out by a
    thread that exits never returns to the pool.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            release_connection()

    return wrapper
