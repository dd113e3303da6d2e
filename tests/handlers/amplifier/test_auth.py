"""AUTH_REQUIRED: off by default; on, every non-health endpoint needs an active application's
X-API-Key, and some need an admin application (who may call what: test_privilege.py)."""
import pytest

from agentdeck.amplifier.applications import register_application, set_flags


@pytest.fixture
def auth_on(settings, monkeypatch):
    monkeypatch.setenv("AUTH_REQUIRED", "true")


@pytest.fixture
def key(auth_on, amp):
    _, api_key = register_application("client-app", "Client")
    return api_key


def test_off_by_default_even_with_a_wrong_key(amp):
    assert amp.get("/configs").status_code == 200
    assert amp.get("/configs", headers={"X-API-Key": "app_wrong"}).status_code == 200
    assert {} in amp.get("/openapi.json").json()["security"]


def test_on_a_missing_or_wrong_key_is_401(auth_on, amp):
    for headers in ({}, {"X-API-Key": "app_wrong"}):
        response = amp.get("/sessions", headers=headers)
        assert response.status_code == 401
        assert isinstance(response.json()["detail"], str)
    assert amp.get("/openapi.json").json()["security"] == [{"applicationKey": []}]


def test_on_health_endpoints_and_docs_need_no_key(auth_on, amp):
    for path in ("/", "/health", "/version", "/openapi.json", "/docs/", "/redoc"):
        assert amp.get(path).status_code == 200, path


def test_on_a_valid_key_works_everywhere_else(key, amp):
    """Everywhere a plain application may go: sessions, configs, the quick checks and its own
    application (the rest is admin-only: tests/handlers/amplifier/test_privilege.py)."""
    headers = {"X-API-Key": key}
    config = amp.post("/configs", json={"name": "c", "yaml_content": "bundle:\n  name: b\n"}, headers=headers)
    assert config.status_code == 201
    session = amp.post("/sessions", json={"config_id": config.json()["config_id"]}, headers=headers)
    answer = amp.post(f"/sessions/{session.json()['session_id']}/messages", json={"message": "hi"}, headers=headers)
    assert answer.json()["response"] == "Echo: hi"
    assert amp.get("/smoke-tests/quick", headers=headers).json()["success"] is True
    assert amp.get("/applications/client-app", headers=headers).json()["app_id"] == "client-app"
    assert amp.post("/applications", json={"app_id": "other", "app_name": "O"}).status_code == 401
    assert amp.post("/applications", json={"app_id": "other", "app_name": "O"}, headers=headers).status_code == 403
    _, admin_key = register_application("ops", "Ops", is_admin=True)
    created = amp.post("/applications", json={"app_id": "other", "app_name": "O"}, headers={"X-API-Key": admin_key})
    assert created.status_code == 201


def test_on_regenerating_stops_the_old_key_at_once(key, amp):
    fresh = amp.post("/applications/client-app/regenerate-key", headers={"X-API-Key": key}).json()["api_key"]
    assert amp.get("/configs", headers={"X-API-Key": key}).status_code == 401
    assert amp.get("/configs", headers={"X-API-Key": fresh}).status_code == 200


def test_on_deleted_and_inactive_applications_are_refused(key, amp):
    set_flags("client-app", is_active=False)
    response = amp.get("/configs", headers={"X-API-Key": key})
    assert response.status_code == 401 and response.json() == {"detail": "Application is inactive"}
    set_flags("client-app", is_active=True)
    amp.delete("/applications/client-app", headers={"X-API-Key": key})
    assert amp.get("/configs", headers={"X-API-Key": key}).status_code == 401


def test_on_full_smoke_tests_need_an_admin_application(key, amp):
    response = amp.get("/smoke-tests", params={"pattern": "nothing-matches.py"}, headers={"X-API-Key": key})
    assert response.status_code == 403 and "Admin" in response.json()["detail"]
    _, admin_key = register_application("ops", "Ops", is_admin=True)
    response = amp.get("/smoke-tests", params={"pattern": "nothing-matches.py"}, headers={"X-API-Key": admin_key})
    assert response.status_code == 400  # past the admin check; the pattern matches no bundled file
