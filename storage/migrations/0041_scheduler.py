"""Scheduler tables: scheduled tasks."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.scheduler import MODELS


def upgrade(db):
    """Create the scheduled task table."""
    create_tables(db, MODELS)
