"""Sign-in sessions: the cookie, its lifetime, sign-out, the origin rule, the rate limit."""
from __future__ import annotations

from tests.handlers.owlette.conftest import ORIGIN, PASSWORD, sign_in

SESSION = "/owlette/api/auth/session"


def test_sign_in_sets_an_encrypted_http_only_cookie(owlette, client):
    owlette.user("ada@example.com")
    response = sign_in(client, "ada@example.com")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["expiresIn"] == 7 * 86400 and body["mfaRequired"] is False
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=604800" in cookie and "Secure" not in cookie
    assert "ada@example.com" not in cookie and body["userId"] not in cookie
    status = client.get(SESSION).json()
    assert status["authenticated"] is True and status["userId"] == body["userId"]
    assert 0 < status["expiresIn"] <= 7 * 86400


def test_duration_days_between_1_and_30(owlette, client):
    owlette.user("ada@example.com")
    assert sign_in(client, "ada@example.com", durationDays=30).json()["expiresIn"] == 30 * 86400
    assert sign_in(client, "ada@example.com", durationDays=31).status_code == 400
    assert sign_in(client, "ada@example.com", durationDays=0).status_code == 400


def test_wrong_password_and_unknown_email_look_the_same(owlette, client):
    owlette.user("ada@example.com")
    wrong = sign_in(client, "ada@example.com", "not the password")
    unknown = sign_in(client, "nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": "Invalid email or password"}
    assert client.get(SESSION).json() == {"authenticated": False, "userId": None, "expiresAt": None}


def test_sign_out_revokes_the_session_at_once(owlette, client):
    owlette.user("ada@example.com")
    sign_in(client, "ada@example.com")
    cookie = client.cookies["__session"]
    assert client.get("/owlette/api/admin/sites").status_code == 200
    out = client.delete(SESSION, headers={"Origin": ORIGIN})
    assert out.status_code == 200 and out.json()["success"] is True
    assert "Max-Age=0" in out.headers["set-cookie"]
    # The old cookie, replayed, no longer opens anything.
    client.cookies.clear()
    client.cookies.set("__session", cookie)
    assert client.get("/owlette/api/admin/sites").status_code == 401
    assert client.get(SESSION).json()["authenticated"] is False


def test_a_forged_or_tampered_cookie_is_refused(owlette, client):
    owlette.user("ada@example.com")
    sign_in(client, "ada@example.com")
    cookie = client.cookies["__session"]
    client.cookies.clear()
    client.cookies.set("__session", cookie[:-4] + ("AAAA" if not cookie.endswith("AAAA") else "BBBB"))
    response = client.get("/owlette/api/admin/sites")
    assert response.status_code == 401 and "error" in response.json()
    client.cookies.set("__session", "garbage")
    assert client.get("/owlette/api/admin/sites").status_code == 401


def test_cookie_changes_from_a_foreign_origin_are_refused(owlette, client):
    owlette.user("ada@example.com")
    sign_in(client, "ada@example.com")
    foreign = client.delete(SESSION, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and foreign.json() == {"error": "Forbidden: cross-origin request refused"}
    by_referer = client.delete(SESSION, headers={"Referer": "https://evil.example/page"})
    assert by_referer.status_code == 403
    assert client.get(SESSION).json()["authenticated"] is True
    assert client.delete(SESSION, headers={"Referer": ORIGIN + "/dashboard"}).status_code == 200


def test_sign_in_is_limited_to_10_a_minute_per_address(owlette, client):
    owlette.user("ada@example.com")
    for _ in range(10):
        assert sign_in(client, "ada@example.com").status_code == 200
    response = sign_in(client, "ada@example.com")
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "Too many requests" and 0 < body["retryAfter"] <= 60
    assert body["message"].startswith("Rate limit exceeded")
    assert response.headers["Retry-After"] == str(body["retryAfter"])
    assert response.headers["X-RateLimit-Limit"] == "10" and response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_the_password_is_stored_as_argon2(owlette, client):
    from agentdeck.storage.models.owlette import OwletteUser

    user = owlette.user("ada@example.com")
    stored = OwletteUser.get_by_id(user.id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_with_mfa_the_password_opens_only_a_pending_session(owlette, client):
    from agentdeck import secretbox
    from agentdeck.storage.models.owlette import OwletteUser

    user = owlette.user("ada@example.com")
    OwletteUser.update(mfa_secret=secretbox.seal("JBSWY3DPEHPK3PXP")).where(OwletteUser.id == user.id).execute()
    body = sign_in(client, "ada@example.com").json()
    assert body["mfaRequired"] is True and body["message"] == "MFA verification required"
    assert client.get(SESSION).json() == {"authenticated": False, "userId": None, "expiresAt": None,
                                          "mfaPending": True}
    refused = client.get("/owlette/api/admin/sites")
    assert refused.status_code == 401 and refused.json() == {"error": "MFA verification required"}


def test_failed_sign_ins_are_throttled_per_account_in_the_rate_limit_shape(owlette, client, monkeypatch):
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_LOGIN_MAX_FAILURES", "3")
    reset_settings()
    owlette.user("ada@example.com")
    for _ in range(3):
        assert sign_in(client, "ada@example.com", "wrong password").status_code == 401
    refused = sign_in(client, "ada@example.com")  # the right password, too late
    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == {"error", "retryAfter", "message"} and body["retryAfter"] > 0
    assert refused.headers["Retry-After"] == str(body["retryAfter"]) and refused.headers["X-RateLimit-Limit"] == "3"


def test_signing_in_from_another_site_is_refused(owlette, client):
    owlette.user("ada@example.com")
    body = {"email": "ada@example.com", "password": PASSWORD}
    refused = client.post(SESSION, json=body, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "set-cookie" not in refused.headers
    assert client.post(SESSION, json=body).status_code == 200  # no Origin: not a browser
