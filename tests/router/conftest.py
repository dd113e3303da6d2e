"""Fixtures for the model router: a migrated database and a ``Router`` aimed at the fakes.

No upstream variable from the environment leaks in: ``OLLAMA_HOST`` points at a closed port
unless a test aims it at the fake Ollama (``use_fake_ollama``).
"""
from __future__ import annotations

import socket

import pytest

from agentdeck.router import Router, upstreams
from agentdeck.storage.db import database, init_db
from agentdeck.storage.migrations import upgrade_database

UPSTREAM_VARIABLES = ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "OPENROUTER_BASE_URL", "OLLAMA_HOST",
                      "AGENTDECK_ROUTER_TIMEOUT", "AGENTDECK_ROUTER_COOLDOWN")


def closed_port_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def db(settings, monkeypatch):
    """A migrated database for this test, and no upstream variables from outside."""
    for name in UPSTREAM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
    upstreams.forget_ollama_probe()
    current = settings()
    init_db(current.resolved_database_url, current.db_max_connections)
    upgrade_database()
    yield database
    upstreams.forget_ollama_probe()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()


@pytest.fixture
async def router(db):
    """A router with short timeouts, closed after the test."""
    instance = Router(timeout=2.0, cooldown=3600.0)
    yield instance
    await instance.pool.aclose()
