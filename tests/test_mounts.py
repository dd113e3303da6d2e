"""Mount points: a surface can be moved, or put at the root for clients without a base path."""
import pytest
from starlette.testclient import TestClient


@pytest.fixture
def root_client(settings, monkeypatch):
    from agentdeck.app import create_app
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_SURFACES", "augmentos")
    monkeypatch.setenv("AGENTDECK_MOUNTS", "augmentos=/")
    reset_settings()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


def test_surface_at_root_keeps_its_paths_and_the_platform_api(root_client):
    assert root_client.get("/health").json()["status"] == "ok"
    assert root_client.get("/api/apps/public").json() == {"success": True, "data": []}
    assert root_client.get("/healthz").json()["surfaces"]["augmentos"]["mount"] == "/"
    assert "/api/tpa-server/register" in root_client.get("/openapi.json").json()["paths"]
    # Unknown paths answer in the root surface's error shape.
    assert root_client.get("/nope").json() == {"success": False, "error": "Not Found"}


def test_surface_moved_to_another_prefix(settings, monkeypatch):
    from agentdeck.app import create_app
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_SURFACES", "augmentos")
    monkeypatch.setenv("AGENTDECK_MOUNTS", "augmentos=/cloud")
    reset_settings()
    with TestClient(create_app()) as client:
        assert client.get("/cloud/health").status_code == 200
        assert client.get("/augmentos/health").status_code == 404
