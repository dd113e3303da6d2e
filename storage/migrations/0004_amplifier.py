"""Amplifier tables: configs, sessions, messages, applications."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.amplifier import AMPLIFIER_MODELS


def upgrade(db):
    """Create the Amplifier tables."""
    create_tables(db, AMPLIFIER_MODELS)
