"""A migrated database for tests of core services that need no app (the scheduler, the bus)."""
from __future__ import annotations

import pytest

from agentdeck.eventbus.subscribers import clear_local_subscriptions
from agentdeck.storage.db import database, init_db
from agentdeck.storage.migrations import upgrade_database


@pytest.fixture
def db(settings):
    """A migrated database for this test, with no in-process bus subscribers left from others."""
    current = settings()
    init_db(current.resolved_database_url, current.db_max_connections)
    upgrade_database()
    clear_local_subscriptions()
    yield database
    clear_local_subscriptions()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
