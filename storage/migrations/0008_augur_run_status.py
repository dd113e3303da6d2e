"""Augur: a run's status as its trace states it (``augur_run.session_status``), for the runs list."""
import json

import peewee

from agentdeck.storage.migrations import add_column_if_missing


def upgrade(db):
    """Add the column and fill it from the traces already stored."""
    add_column_if_missing(db, "augur_run", "session_status", peewee.CharField(max_length=64, null=True))
    rows = db.execute_sql("SELECT id, trace FROM augur_run WHERE trace IS NOT NULL").fetchall()
    for pk, text in rows:
        try:
            session = json.loads(text).get("session")
        except (ValueError, AttributeError):
            continue
        status = session.get("status") if isinstance(session, dict) else None
        if isinstance(status, str):
            db.execute_sql(f"UPDATE augur_run SET session_status = {db.param} WHERE id = {db.param}",
                           (status[:64], pk))
