"""Core table: request rate-limit windows, shared by every worker."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.ratelimit import RateLimitWindow


def upgrade(db):
    """Create the rate-limit table."""
    create_tables(db, [RateLimitWindow])
