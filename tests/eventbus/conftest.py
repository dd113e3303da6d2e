"""Fixtures for the event bus: a migrated database (shared with the other core-service tests)."""
from tests.support.database import db  # noqa: F401  (fixture)
