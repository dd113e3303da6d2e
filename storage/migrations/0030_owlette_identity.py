"""owlette identity tables: users, sites, sessions, MFA, passkeys, API keys, agent tokens."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.owlette import IDENTITY_MODELS


def upgrade(db):
    """Create the owlette identity tables."""
    create_tables(db, IDENTITY_MODELS)
