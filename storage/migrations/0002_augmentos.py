"""AugmentOS Cloud tables."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.augmentos import MODELS


def upgrade(db):
    """Create the AugmentOS tables."""
    create_tables(db, MODELS)
