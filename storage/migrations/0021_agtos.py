"""agtOS tables: the onboarding setup token."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.agtos import AgtosSetupToken


def upgrade(db):
    """Create the setup-token table."""
    create_tables(db, [AgtosSetupToken])
