"""agtOS devices, user preferences and capture streams."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.agtos_devices import MODELS


def upgrade(db):
    """Create the device, preferences and capture stream tables."""
    create_tables(db, MODELS)
