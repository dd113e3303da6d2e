"""owlette cortex's autonomous investigations (kept as chats) and escalations."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.owlette_cortex import CORTEX_MODELS


def upgrade(db):
    """Create the cortex chat and escalation tables."""
    create_tables(db, CORTEX_MODELS)
