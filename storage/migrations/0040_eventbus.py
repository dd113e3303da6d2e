"""Event bus tables: the event outbox, named subscribers and their deliveries."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.eventbus import MODELS


def upgrade(db):
    """Create the event, subscriber and delivery tables."""
    create_tables(db, MODELS)
