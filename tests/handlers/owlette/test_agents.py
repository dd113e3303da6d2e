"""Agent enrolment: registration codes, their exchange, refresh, revocation, the site rule."""
from __future__ import annotations

import base64
import json

import pytest

from agentdeck.errors import Unauthorized
from tests.handlers.owlette.conftest import ORIGIN, api_key, sign_in

O = {"Origin": ORIGIN}


@pytest.fixture
def site_owner(owlette, client):
    owner = owlette.user("o@example.com")
    owlette.site("nyc-office", owner=owner)
    sign_in(client, "o@example.com")
    return owner


def _code(client, site="nyc-office"):
    response = client.post("/owlette/api/agent/generate-installer", json={"siteId": site}, headers=O)
    assert response.status_code == 200, response.text
    return response.json()


def _exchange(client, code, machine="DESKTOP-ABC123"):
    return client.post("/owlette/api/agent/auth/exchange",
                       json={"registrationCode": code, "machineId": machine, "version": "2.1.8"})


def _claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_code_is_exchanged_once_for_tokens(site_owner, client):
    issued = _code(client)
    assert issued["siteId"] == "nyc-office" and issued["expiresAt"].endswith("Z")
    response = _exchange(client, issued["registrationCode"])
    assert response.status_code == 200
    body = response.json()
    assert body["siteId"] == "nyc-office" and body["expiresIn"] == 3600
    assert body["refreshToken"].startswith("rt_")
    assert body["accessToken"] == body["idToken"] == body["customToken"]
    claims = _claims(body["accessToken"])
    assert (claims["role"], claims["site_id"], claims["machine_id"], claims["version"]) == \
        ("agent", "nyc-office", "DESKTOP-ABC123", "2.1.8")
    assert claims["exp"] - claims["iat"] == 3600
    again = _exchange(client, issued["registrationCode"])
    assert again.status_code == 401 and again.json() == {"error": "Registration code has already been used"}
    assert _exchange(client, "reg_unknown").json() == {"error": "Invalid registration code"}


def test_an_expired_code_is_refused(site_owner, client):
    from agentdeck.storage.models.owlette import OwletteRegistrationCode
    from agentdeck.timeutil import utcnow

    code = _code(client)["registrationCode"]
    OwletteRegistrationCode.update(expires_at=utcnow()).execute()
    assert _exchange(client, code).json() == {"error": "Registration code has expired"}


def test_refresh_for_the_same_machine_only(site_owner, client):
    from agentdeck.owlette import access_tokens

    tokens = _exchange(client, _code(client)["registrationCode"]).json()
    refreshed = client.post("/owlette/api/agent/auth/refresh",
                            json={"refreshToken": tokens["refreshToken"], "machineId": "DESKTOP-ABC123"})
    assert refreshed.status_code == 200 and refreshed.json()["expiresIn"] == 3600
    assert access_tokens.verify(refreshed.json()["accessToken"])["machine_id"] == "DESKTOP-ABC123"
    other = client.post("/owlette/api/agent/auth/refresh",
                        json={"refreshToken": tokens["refreshToken"], "machineId": "DESKTOP-OTHER"})
    assert other.status_code == 403 and other.json() == {"error": "Machine ID mismatch"}
    unknown = client.post("/owlette/api/agent/auth/refresh", json={"refreshToken": "rt_x", "machineId": "M"})
    assert unknown.status_code == 401


def test_tokens_are_listed_and_revoked_by_token_machine_or_site(site_owner, client):
    from agentdeck.owlette import access_tokens

    a = _exchange(client, _code(client)["registrationCode"], "PC-A").json()
    b = _exchange(client, _code(client)["registrationCode"], "PC-B").json()
    c = _exchange(client, _code(client)["registrationCode"], "PC-C").json()
    listed = client.get("/owlette/api/admin/tokens/list", params={"siteId": "nyc-office"}).json()
    assert listed["count"] == 3 and {t["machineId"] for t in listed["tokens"]} == {"PC-A", "PC-B", "PC-C"}
    token_a = next(t["id"] for t in listed["tokens"] if t["machineId"] == "PC-A")
    revoke = "/owlette/api/admin/tokens/revoke"
    one = client.post(revoke, json={"siteId": "nyc-office", "tokenId": token_a}, headers=O).json()
    assert one["success"] is True and one["revokedCount"] == 1
    with pytest.raises(Unauthorized):
        access_tokens.verify(a["accessToken"])  # at once, though it has not expired
    assert client.post(revoke, json={"siteId": "nyc-office", "machineId": "PC-B"}, headers=O).json()["revokedCount"] == 1
    refused = client.post("/owlette/api/agent/auth/refresh", json={"refreshToken": b["refreshToken"], "machineId": "PC-B"})
    assert refused.status_code == 401
    assert client.post(revoke, json={"siteId": "nyc-office", "all": True}, headers=O).json()["revokedCount"] == 1
    with pytest.raises(Unauthorized):
        access_tokens.verify(c["accessToken"])
    assert client.get("/owlette/api/admin/tokens/list", params={"siteId": "nyc-office"}).json()["count"] == 0
    both = client.post(revoke, json={"siteId": "nyc-office", "all": True, "machineId": "PC-A"}, headers=O)
    assert both.status_code == 400 and "error" in both.json()


def test_a_tampered_access_token_is_refused(site_owner, client):
    from agentdeck.owlette import access_tokens

    token = _exchange(client, _code(client)["registrationCode"]).json()["accessToken"]
    header, payload, signature = token.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["site_id"] = "la-office"
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    with pytest.raises(Unauthorized):
        access_tokens.verify(f"{header}.{forged_payload}.{signature}")
    with pytest.raises(Unauthorized):
        access_tokens.verify("not-a-token")


def test_setup_generate_token_is_a_registration_code(site_owner, client):
    body = client.post("/owlette/api/setup/generate-token", json={"siteId": "nyc-office"}, headers=O).json()
    assert body["siteId"] == "nyc-office" and body["userId"] == site_owner.id
    assert _exchange(client, body["token"]).status_code == 200


def test_exchange_is_limited_to_60_an_hour_per_address(site_owner, client):
    for _ in range(60):
        _exchange(client, "reg_unknown")
    limited = _exchange(client, "reg_unknown")
    assert limited.status_code == 429 and limited.json()["retryAfter"] > 60
    assert limited.headers["X-RateLimit-Limit"] == "60"
