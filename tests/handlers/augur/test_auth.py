"""Viewer sign-in: the session cookie, /auth/me, logout and expiry."""
from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from tests.augur.world import API, PASSWORD


def test_login_sets_httponly_session_cookie_and_me_answers(augur, client):
    tenant = augur.tenant("acme")
    augur.user("Alice@Acme.example", tenant)
    response = client.post(f"{API}/auth/login", json={"email": "alice@acme.example", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("augur_session=")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"):
        assert attribute in cookie
    me = client.get(f"{API}/auth/me").json()
    assert me["user"]["email"] == "alice@acme.example"
    assert me["tenant"]["slug"] == me["home_tenant"]["slug"] == "acme"
    assert me["impersonating"] is False


def test_wrong_password_and_unknown_user_are_the_same_401(augur, client):
    augur.user("alice@acme.example", augur.tenant("acme"))
    wrong = client.post(f"{API}/auth/login", json={"email": "alice@acme.example", "password": "nope-nope"})
    unknown = client.post(f"{API}/auth/login", json={"email": "bob@acme.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Invalid email or password"}
    assert "set-cookie" not in wrong.headers


def test_reads_without_cookie_are_401(client):
    for path in ("auth/me", "runs", "connections", "tenant/dsns", "runs/r1/manifest.json"):
        response = client.get(f"{API}/{path}")
        assert response.status_code == 401, path
        assert set(response.json()) == {"detail"}


def test_garbage_cookie_is_401(client):
    response = client.get(f"{API}/runs", headers={"Cookie": "augur_session=forged"})
    assert response.status_code == 401
    assert "session" in response.json()["detail"]


def test_logout_revokes_the_session_server_side(augur, app):
    augur.user("alice@acme.example", augur.tenant("acme"))
    viewer = augur.viewer("alice@acme.example")
    token = viewer.cookies["augur_session"]
    response = viewer.post(f"{API}/auth/logout")
    assert response.status_code == 200
    assert "Max-Age=0" in response.headers["set-cookie"]
    # A copy of the cookie kept by an attacker no longer works either.
    replay = TestClient(app).get(f"{API}/auth/me", headers={"Cookie": f"augur_session={token}"})
    assert replay.status_code == 401


def test_logout_without_session_is_fine(client):
    assert client.post(f"{API}/auth/logout").status_code == 200


def test_expired_session_is_refused(augur):
    from agentdeck.storage.models.augur import AugurLoginSession
    from agentdeck.timeutil import utcnow

    augur.user("alice@acme.example", augur.tenant("acme"))
    viewer = augur.viewer("alice@acme.example")
    assert viewer.get(f"{API}/runs").status_code == 200
    AugurLoginSession.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    response = viewer.get(f"{API}/runs")
    assert response.status_code == 401


def test_session_ttl_setting_sets_cookie_lifetime(augur, monkeypatch, app):
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_AUGUR_SESSION_TTL", "90")
    reset_settings()
    augur.user("alice@acme.example", augur.tenant("acme"))
    response = TestClient(app).post(f"{API}/auth/login", json={"email": "alice@acme.example", "password": PASSWORD})
    assert "Max-Age=90" in response.headers["set-cookie"]


def test_login_payload_failing_schema_is_422(client):
    response = client.post(f"{API}/auth/login", json={"email": "a@b.c"})
    assert response.status_code == 422
    assert set(response.json()) == {"detail"}
