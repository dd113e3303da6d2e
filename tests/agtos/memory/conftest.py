"""Fixtures for agtOS memory: a migrated database (the real local embedder is used)."""
from __future__ import annotations

import pytest

from agentdeck.agtos.memory import embedding
from tests.support.database import db  # noqa: F401  (a migrated database for each test)


@pytest.fixture(autouse=True)
def fresh_embedder():
    """Embedders are made once per process; a test that changes the setting gets its own."""
    embedding.reset()
    yield
    embedding.reset()
