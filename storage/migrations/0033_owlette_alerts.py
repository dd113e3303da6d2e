"""owlette activity log, webhooks, alert throttling, LLM keys and cortex chats."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.owlette_alerts import ALERT_MODELS


def upgrade(db):
    """Create the owlette alert tables."""
    create_tables(db, ALERT_MODELS)
