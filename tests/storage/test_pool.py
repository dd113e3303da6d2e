"""The connection pool survives worker threads that exit while holding a connection."""
import threading

from agentdeck.storage.db import connect_database


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
