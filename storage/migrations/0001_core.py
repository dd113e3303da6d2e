"""Core tables: leases and the outbound delivery log."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.core import Delivery, Lease


def upgrade(db):
    """Create the core tables."""
    create_tables(db, [Lease, Delivery])
