"""agtOS CORS: origins from CORS_ORIGIN (default http://localhost:5173) and the desktop app's,
preflight answered 204, at the agtOS mount only."""
import pytest

PREFLIGHT = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type,authorization"}


def test_a_preflight_from_the_default_origin_is_204_with_the_allow_headers(client):
    response = client.options("/agtos/api/chat", headers=PREFLIGHT)
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "content-type,authorization"
    assert int(response.headers["access-control-max-age"]) > 0


def test_a_preflight_needs_no_api_key_and_is_not_counted(api_key, client):
    assert client.get("/agtos/api/slots").status_code == 401
    for _ in range(3):
        response = client.options("/agtos/api/slots", headers=PREFLIGHT)
        assert response.status_code == 204
        assert "x-ratelimit-remaining" not in response.headers


def test_a_preflight_from_another_origin_is_204_without_the_allow_headers(client):
    response = client.options("/agtos/api/chat", headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert response.status_code == 204
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("origin", ["tauri://localhost", "https://tauri.localhost"])
def test_the_desktop_app_origins_are_always_allowed(client, origin):
    response = client.get("/agtos/api/system/info", headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin


def test_responses_to_an_allowed_origin_say_so_errors_included(client):
    ok = client.get("/agtos/api/system/info", headers={"Origin": "http://localhost:5173"})
    assert ok.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "X-RateLimit-Remaining" in ok.headers["access-control-expose-headers"]
    bad = client.post("/agtos/api/chat", json={}, headers={"Origin": "http://localhost:5173"})
    assert bad.status_code == 400
    assert bad.headers["access-control-allow-origin"] == "http://localhost:5173"
    other = client.get("/agtos/api/system/info", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_cors_origin_replaces_the_default(settings, monkeypatch):
    from starlette.testclient import TestClient

    from agentdeck.app import create_app

    monkeypatch.setenv("CORS_ORIGIN", "https://app.example, https://other.example")
    settings.cache_clear()
    with TestClient(create_app()) as client:
        assert client.options("/agtos/api/chat", headers={**PREFLIGHT, "Origin": "https://other.example"}
                              ).headers["access-control-allow-origin"] == "https://other.example"
        assert "access-control-allow-origin" not in client.options("/agtos/api/chat", headers=PREFLIGHT).headers


def test_other_surfaces_answer_no_cors(client):
    response = client.options("/augmentos/api/apps", headers=PREFLIGHT)
    assert response.status_code != 204
    assert "access-control-allow-origin" not in client.get("/augmentos/api/apps",
                                                           headers={"Origin": "http://localhost:5173"}).headers
