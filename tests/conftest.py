"""Fixtures shared by the whole suite.

Every test gets a fresh data directory and a fresh database: SQLite by default, or a new database
in a throwaway PostgreSQL cluster when ``AGENTDECK_TEST_DB=postgres`` (the ``postgres`` tox env).
Responses are validated against the specs, and outbound calls to loopback are allowed.
"""
from __future__ import annotations

import os

import pytest
from starlette.testclient import TestClient

from agentdeck.plugins.manager import reset_plugin_manager
from agentdeck.settings import get_settings, reset_settings

USE_POSTGRES = os.environ.get("AGENTDECK_TEST_DB") == "postgres"

# Fake LLM upstreams (OpenAI-compatible, Anthropic, Ollama) on loopback, for every test folder.
pytest_plugins = ["tests.upstreams.fixtures"]


def _validate_each_spec_once_per_process() -> None:
    """Connexion checks a spec against the OpenAPI meta-schema each time an app adds it: about
    0.3 of the 0.55 s an app takes to build, paid by every test that builds one. In the suite a
    rendered spec is checked the first time this process sees it and not again (the served
    specs are also checked by openapi-spec-validator in tests/test_specs*.py)."""
    import hashlib
    import json

    from connexion.spec import Specification

    check = Specification._validate_spec.__func__
    checked: set[str] = set()

    def validate_once(cls, spec):
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
        if digest not in checked:
            check(cls, spec)
            checked.add(digest)

    Specification._validate_spec = classmethod(validate_once)


_validate_each_spec_once_per_process()


@pytest.fixture(scope="session")
def postgres_cluster():
    """A PostgreSQL cluster for the session (only with AGENTDECK_TEST_DB=postgres)."""
    if not USE_POSTGRES:
        yield None
        return
    from tests.support.postgres import start_cluster

    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def settings(request, tmp_path, monkeypatch, postgres_cluster):
    """Settings for one test: its own data dir and database; edit env before using ``app``."""
    for key in list(os.environ):
        if (key.startswith("AGENTDECK_") and not key.startswith("AGENTDECK_TEST_")) or key in {"DATABASE_URL", "AUTH_REQUIRED", "REDIS_URL"}:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AGENTDECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AGENTDECK_VALIDATE_RESPONSES", "true")
    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("AGENTDECK_MAINTENANCE_INTERVAL", "0")
    monkeypatch.setenv("AGENTDECK_LOG_LEVEL", "WARNING")
    if os.environ.get("AGENTDECK_TEST_SURFACES"):
        # Serve only some surfaces (a developer iterating on one surface).
        monkeypatch.setenv("AGENTDECK_SURFACES", os.environ["AGENTDECK_TEST_SURFACES"])
    if postgres_cluster is not None:
        # Already migrated (a copy of a template) unless the test is about migrating.
        migrated = request.node.get_closest_marker("empty_database") is None
        monkeypatch.setenv("DATABASE_URL", postgres_cluster.new_database(migrated=migrated))
    reset_settings()
    reset_plugin_manager()
    yield get_settings
    reset_settings()
    reset_plugin_manager()


@pytest.fixture
def app(settings):
    """The agentdeck ASGI app on this test's database."""
    from agentdeck.app import create_app

    reset_settings()
    application = create_app()
    yield application
    from agentdeck.storage.db import database

    if database.obj is not None and hasattr(database.obj, "close_all"):
        database.obj.close_all()


@pytest.fixture
def client(app):
    """A synchronous client talking to the app through its ASGI interface."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def live_server(app):
    """The app served by uvicorn on a free loopback port; yields its base URL."""
    from tests.support.servers import ThreadedServer

    with ThreadedServer(app) as server:
        yield server.url
