"""The connection pool: survives worker threads that exit holding a connection, checks out a
recently used PostgreSQL connection without a round trip, and reconnects one the server closed."""
import threading

import pytest

from agentdeck.storage.db import connect_database
from tests.conftest import USE_POSTGRES


def _use_and_exit(db):
    db.execute_sql("SELECT 1").fetchone()  # checks out a connection and never gives it back


def test_connections_of_exited_threads_are_reclaimed(tmp_path):
    db = connect_database(f"sqlite:///{tmp_path / 'pool.db'}", max_connections=4)
    for _ in range(20):  # five times the pool size
        thread = threading.Thread(target=_use_and_exit, args=(db,))
        thread.start()
        thread.join()
    db.execute_sql("SELECT 1").fetchone()
    assert len(db._in_use) <= 2  # this thread's, and at most the last exited thread's
    db.close_all()


def test_a_live_thread_keeps_its_connection(tmp_path):
    db = connect_database(f"sqlite:///{tmp_path / 'pool.db'}", max_connections=4)
    db.execute_sql("SELECT 1").fetchone()
    mine = db.connection()
    thread = threading.Thread(target=_use_and_exit, args=(db,))
    thread.start()
    thread.join()
    db.execute_sql("SELECT 1").fetchone()
    assert db.connection() is mine
    db.close_all()


postgres_only = pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL's check-out ping (AGENTDECK_TEST_DB=postgres)")


@postgres_only
def test_a_recently_used_postgres_connection_is_not_pinged_on_check_out(postgres_cluster, monkeypatch):
    db = connect_database(postgres_cluster.new_database(), max_connections=4)
    pings = []
    real = db._adapter.is_connection_closed
    monkeypatch.setattr(db._adapter, "is_connection_closed", lambda conn: pings.append(1) or real(conn))
    for _ in range(10):
        db.connect()
        db.execute_sql("SELECT 1").fetchone()
        db.close()
    assert pings == []
    monkeypatch.setattr(type(db), "PING_AFTER", 0.0)  # idle "long enough": pinged again
    db.connect()
    db.close()
    assert pings == [1]
    db.close_all()


@postgres_only
def test_a_postgres_connection_closed_by_the_server_reconnects_outside_a_transaction(postgres_cluster):
    url = postgres_cluster.new_database()
    db, killer = connect_database(url), connect_database(url)
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    killer.execute_sql("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
    assert db.execute_sql("SELECT 41 + 1").fetchone()[0] == 42  # the same thread's kept connection
    assert db.execute_sql("SELECT pg_backend_pid()").fetchone()[0] != pid
    db.close_all()
    killer.close_all()
