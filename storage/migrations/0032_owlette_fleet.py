"""owlette fleet tables: machines, commands, software, processes, deployments, installers, screenshots."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.owlette_fleet import FLEET_MODELS


def upgrade(db):
    """Create the owlette fleet tables."""
    create_tables(db, FLEET_MODELS)
