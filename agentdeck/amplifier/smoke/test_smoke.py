"""Smoke tests of the Amplifier surface as this installation serves it: a fresh app on a
throwaway SQLite database (in ``AGENTDECK_SMOKE_WORKDIR``), plus a read-only check that the
server's own database (``AGENTDECK_SMOKE_DATABASE_URL``) answers."""
from __future__ import annotations

import json
import os
import tempfile

import pytest

BUNDLE = "bundle:\n  name: smoke\nproviders:\n  - module: provider-echo\n"


@pytest.fixture(scope="module")
def client():
    """The Amplifier API of a fresh app, through its ASGI interface."""
    from starlette.testclient import TestClient

    workdir = tempfile.mkdtemp(dir=os.environ.get("AGENTDECK_SMOKE_WORKDIR"))
    os.environ.update({"AGENTDECK_DATA_DIR": workdir, "AGENTDECK_MAINTENANCE_INTERVAL": "0",
                       "AGENTDECK_SURFACES": "amplifier", "AGENTDECK_LOG_LEVEL": "WARNING"})
    from agentdeck.app import create_app

    with TestClient(create_app(), base_url="http://smoke/amplifier") as test_client:
        yield test_client


@pytest.fixture
def config_id(client):
    """A config answering through echo, deleted afterwards."""
    config_id = client.post("/configs", json={"name": "smoke", "yaml_content": BUNDLE}).json()["config_id"]
    yield config_id
    client.delete(f"/configs/{config_id}")


def test_health_reports_database(client):
    body = client.get("/health").json()
    assert body["status"] == "healthy" and body["database_connected"] is True


def test_root_and_version(client):
    assert client.get("/").json()["service"] == "Amplifier App api"
    assert client.get("/version").json()["service_version"]


def test_invalid_yaml_is_refused(client):
    response = client.post("/configs", json={"name": "bad", "yaml_content": "bundle: [unclosed"})
    assert response.status_code == 400 and "YAML" in response.json()["detail"]


def test_config_round_trip(client, config_id):
    assert client.get(f"/configs/{config_id}").json()["yaml_content"] == BUNDLE
    updated = client.put(f"/configs/{config_id}", json={"tags": {"env": "smoke"}}).json()
    assert updated["tags"] == {"env": "smoke"}


def test_session_answers_through_echo(client, config_id):
    session_id = client.post("/sessions", json={"config_id": config_id}).json()["session_id"]
    answer = client.post(f"/sessions/{session_id}/messages", json={"message": "hello smoke"})
    assert answer.status_code == 200 and answer.json()["response"]
    assert client.delete(f"/sessions/{session_id}").status_code == 200


def test_stream_ends_with_done(client, config_id):
    session_id = client.post("/sessions", json={"config_id": config_id}).json()["session_id"]
    with client.stream("POST", f"/sessions/{session_id}/stream", json={"message": "hi"}) as response:
        events = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")]
    assert [e["type"] for e in events][0] == "connected"
    assert events[-1] == {"type": "done"}
    assert client.post(f"/sessions/{session_id}/cancel").status_code == 200


def test_application_key_lifecycle(client):
    created = client.post("/applications", json={"app_id": "smoke-app", "app_name": "Smoke"}).json()
    assert created["api_key"].startswith("app_")
    again = client.post("/applications/smoke-app/regenerate-key").json()
    assert again["api_key"] != created["api_key"]
    assert client.delete("/applications/smoke-app").status_code == 200


def test_configured_database_answers():
    url = os.environ.get("AGENTDECK_SMOKE_DATABASE_URL")
    if not url:
        pytest.skip("no database URL given")
    from agentdeck.storage.db import connect_database

    db = connect_database(url, max_connections=1)
    try:
        assert db.execute_sql("SELECT 1").fetchone()[0] == 1
    finally:
        db.close_all() if hasattr(db, "close_all") else db.close()
