"""agtOS settings table: runtime values of the writable keys."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.agtos_settings import MODELS


def upgrade(db):
    """Create the agtOS settings table."""
    create_tables(db, MODELS)
