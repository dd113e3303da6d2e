"""Fixtures for agtOS chat: a migrated database, the process router reset around each test, and
no upstream variables from outside (``OLLAMA_HOST`` points at a closed port)."""
from __future__ import annotations

import socket

import pytest

from agentdeck.router import get_router, reset_router, upstreams
from agentdeck.storage.db import database, init_db
from agentdeck.storage.migrations import upgrade_database

UPSTREAM_VARIABLES = ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "OPENROUTER_BASE_URL", "OLLAMA_HOST")


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
async def router(settings, monkeypatch):
    """The process's router on a migrated database of this test; a fresh install (echo)."""
    for name in UPSTREAM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OLLAMA_HOST", _closed_port_url())
    monkeypatch.setenv("AGENTDECK_ROUTER_TIMEOUT", "5")
    upstreams.forget_ollama_probe()
    current = settings()
    init_db(current.resolved_database_url, current.db_max_connections)
    upgrade_database()
    reset_router()
    instance = get_router()
    yield instance
    await instance.pool.aclose()
    reset_router()
    upstreams.forget_ollama_probe()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()


@pytest.fixture
async def chat_on_fake_openai(router, fake_openai, monkeypatch):
    """The chat slot on the fake OpenAI-compatible server, with nothing to fall back to."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    await router.auto_configure("cloud", "none")
    await router.put_slots({"chat": {"provider": "openai", "model": "gpt-fake"}})
    fake_openai.reset()  # forget the catalog fetch that checked the model
    return fake_openai
