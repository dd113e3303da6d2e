"""Model router tables: settings (slots, fallback strategy), provider keys, exhaustion, catalog."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.router import MODELS


def upgrade(db):
    """Create the router tables."""
    create_tables(db, MODELS)
