"""Core table: failed sign-in attempts, for throttling guessing across workers."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.core import FailedAttempts


def upgrade(db):
    """Create the failed-attempts table."""
    create_tables(db, [FailedAttempts])
