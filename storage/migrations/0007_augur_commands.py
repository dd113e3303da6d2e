"""Augur table: operators' intervention commands for live runs."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.augur_commands import MODELS


def upgrade(db):
    """Create the intervention-command table."""
    create_tables(db, MODELS)
