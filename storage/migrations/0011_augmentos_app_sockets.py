"""AugmentOS tables for the TPA WebSocket: displayed layouts and the socket event outbox."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.augmentos import SOCKET_MODELS


def upgrade(db):
    """Create the display and session-event tables."""
    create_tables(db, SOCKET_MODELS)
