"""Fixtures for the scheduler: a migrated database and no bus subscribers left from other tests."""
from __future__ import annotations

import pytest

from agentdeck.eventbus.subscribers import clear_local_subscriptions
from agentdeck.storage.db import database, init_db
from agentdeck.storage.migrations import upgrade_database


@pytest.fixture
def db(settings):
    """A migrated database for this test."""
    current = settings()
    init_db(current.resolved_database_url, current.db_max_connections)
    upgrade_database()
    clear_local_subscriptions()
    yield database
    clear_local_subscriptions()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
