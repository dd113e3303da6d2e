"""agtOS workflow definitions and executions."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.agtos_workflows import MODELS


def upgrade(db):
    """Create the workflow and workflow execution tables."""
    create_tables(db, MODELS)
