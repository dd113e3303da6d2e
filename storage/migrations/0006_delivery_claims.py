"""Core: a delivery is claimed by the one runner attempting it (``core_delivery.claimed_until``)."""
import peewee

from agentdeck.storage.migrations import add_column_if_missing


def upgrade(db):
    """Add the claim column to deliveries."""
    add_column_if_missing(db, "core_delivery", "claimed_until", peewee.DateTimeField(null=True))
