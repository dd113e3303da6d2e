"""Augur tables: tenants, users, login sessions, DSNs, audit log, runs, steps, events, heartbeats."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.augur import MODELS


def upgrade(db):
    """Create the Augur tables."""
    create_tables(db, MODELS)
