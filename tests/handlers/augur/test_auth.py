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


def _throttled_client(monkeypatch, app, max_failures: int) -> TestClient:
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_LOGIN_MAX_FAILURES", str(max_failures))
    reset_settings()
    return TestClient(app)


def _login(client, email, password):
    return client.post(f"{API}/auth/login", json={"email": email, "password": password})


def test_repeated_failed_sign_ins_are_throttled_even_with_the_right_password(augur, monkeypatch, app):
    augur.user("alice@acme.example", augur.tenant("acme"))
    client = _throttled_client(monkeypatch, app, 3)
    for _ in range(3):
        assert _login(client, "alice@acme.example", "guess-guess").status_code == 401
    response = _login(client, "Alice@Acme.example", PASSWORD)
    assert response.status_code == 429
    assert set(response.json()) == {"detail"}
    assert 0 < int(response.headers["retry-after"]) <= 900
    assert "set-cookie" not in response.headers


def test_a_successful_sign_in_starts_the_account_count_again(augur, monkeypatch, app):
    augur.user("alice@acme.example", augur.tenant("acme"))
    client = _throttled_client(monkeypatch, app, 3)
    for _ in range(2):
        assert _login(client, "alice@acme.example", "guess-guess").status_code == 401
    assert _login(client, "alice@acme.example", PASSWORD).status_code == 200
    for _ in range(2):
        assert _login(client, "alice@acme.example", "guess-guess").status_code == 401
    assert _login(client, "alice@acme.example", PASSWORD).status_code == 200


def test_sign_in_works_again_once_the_window_has_passed(augur, monkeypatch, app):
    from agentdeck.storage.models.core import FailedAttempts
    from agentdeck.timeutil import utcnow

    augur.user("alice@acme.example", augur.tenant("acme"))
    client = _throttled_client(monkeypatch, app, 2)
    for _ in range(2):
        _login(client, "alice@acme.example", "guess-guess")
    assert _login(client, "alice@acme.example", PASSWORD).status_code == 429
    FailedAttempts.update(window_started_at=utcnow() - timedelta(seconds=901)).execute()
    assert _login(client, "alice@acme.example", PASSWORD).status_code == 200


def test_one_client_address_guessing_many_accounts_is_throttled(augur, monkeypatch, app):
    augur.user("alice@acme.example", augur.tenant("acme"))
    client = _throttled_client(monkeypatch, app, 2)  # 10 failures per address
    for n in range(10):
        assert _login(client, f"user{n}@acme.example", "guess-guess").status_code == 401
    assert _login(client, "alice@acme.example", PASSWORD).status_code == 429
