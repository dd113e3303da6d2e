"""agtOS chat tables: conversations' working memory."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.agtos_chat import MODELS


def upgrade(db):
    """Create the chat session and message tables."""
    create_tables(db, MODELS)
