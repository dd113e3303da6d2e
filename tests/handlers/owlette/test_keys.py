"""API keys: shown once, stored as SHA-256, acting as their user, revoked at once."""
from __future__ import annotations

import base64

from tests.handlers.owlette.conftest import ORIGIN, sign_in

O = {"Origin": ORIGIN}
KEYS = "/owlette/api/admin/keys"


def test_create_list_use_and_revoke_a_key(owlette, client):
    owlette.user("ada@example.com")
    sign_in(client, "ada@example.com")
    created = client.post(KEYS + "/create", json={"name": "CI/CD Pipeline"}, headers=O).json()
    key = created["key"]
    assert created["success"] is True and created["name"] == "CI/CD Pipeline"
    assert key.startswith("owk_") and len(base64.urlsafe_b64decode(key[4:] + "=")) == 32
    listed = client.get(KEYS).json()["keys"]
    assert listed == [{"id": created["keyId"], "name": "CI/CD Pipeline", "keyPrefix": key[:11] + "....",
                       "createdAt": listed[0]["createdAt"], "lastUsedAt": None}]
    assert key not in client.get(KEYS).text
    client.cookies.clear()
    used = client.get(KEYS, headers={"x-api-key": key})
    assert used.status_code == 200 and used.json()["keys"][0]["lastUsedAt"] is not None
    gone = client.request("DELETE", KEYS + "/revoke", json={"keyId": created["keyId"]}, headers={"x-api-key": key})
    assert gone.status_code == 200 and gone.json()["success"] is True
    assert client.get(KEYS, headers={"x-api-key": key}).status_code == 401


def test_the_key_is_stored_as_its_sha256(owlette, client):
    import hashlib

    from agentdeck.storage.models.owlette import OwletteApiKey

    owlette.user("ada@example.com")
    sign_in(client, "ada@example.com")
    key = client.post(KEYS + "/create", headers=O).json()["key"]  # no body: the default name
    row = OwletteApiKey.get()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and row.name == "API key"


def test_api_key_requests_skip_the_origin_rule_but_cookies_do_not(owlette, client):
    owlette.user("ada@example.com")
    sign_in(client, "ada@example.com")
    foreign = {"Origin": "https://evil.example"}
    assert client.post(KEYS + "/create", json={}, headers=foreign).status_code == 403
    key = client.post(KEYS + "/create", json={}, headers=O).json()["key"]
    client.cookies.clear()
    assert client.post(KEYS + "/create", json={}, headers={**foreign, "x-api-key": key}).status_code == 200


def test_a_user_cannot_see_or_revoke_anothers_keys(owlette, client):
    owlette.user("ada@example.com")
    owlette.user("bob@example.com")
    sign_in(client, "ada@example.com")
    ada_key = client.post(KEYS + "/create", json={"name": "ada"}, headers=O).json()
    sign_in(client, "bob@example.com")
    assert client.get(KEYS).json()["keys"] == []
    refused = client.request("DELETE", KEYS + "/revoke", json={"keyId": ada_key["keyId"]}, headers=O)
    assert refused.status_code == 404 and refused.json() == {"error": "API key not found"}
    client.cookies.clear()
    assert client.get(KEYS, headers={"x-api-key": ada_key["key"]}).json()["keys"][0]["name"] == "ada"
