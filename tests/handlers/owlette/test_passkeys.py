"""Passkeys with a software ES256 authenticator through the real endpoints: register, sign in
(bypassing MFA), list, rename, delete; a wrong challenge, a wrong origin, a replayed assertion
and a sign count that does not grow all fail."""
from __future__ import annotations

import pytest

from tests.handlers.owlette.authenticator import SoftwareAuthenticator, b64url
from tests.handlers.owlette.conftest import ORIGIN, sign_in

O = {"Origin": ORIGIN}
PK = "/owlette/api/passkeys"


@pytest.fixture
def ada(owlette, client):
    user = owlette.user("ada@example.com")
    sign_in(client, "ada@example.com")
    return user


@pytest.fixture
def device():
    return SoftwareAuthenticator("dashboard.test", ORIGIN)


def _register(client, user, device, name="My YubiKey"):
    options = client.post(f"{PK}/register/options", json={"userId": user.id}, headers=O)
    assert options.status_code == 200, options.text
    body = {"userId": user.id, "credential": device.create(options.json()), "friendlyName": name}
    return client.post(f"{PK}/register/verify", json=body, headers=O)


def _options(client):
    response = client.post(f"{PK}/authenticate/options")
    assert response.status_code == 200
    return response.json()


def _sign_in(client, device, **kwargs):
    issued = _options(client)
    assertion = device.get(issued["options"], **kwargs)
    return client.post(f"{PK}/authenticate/verify", json={"credential": assertion, "challengeId": issued["challengeId"]})


def test_register_then_sign_in_with_a_passkey(ada, client, device):
    options = client.post(f"{PK}/register/options", json={"userId": ada.id}, headers=O).json()
    assert options["rp"] == {"id": "dashboard.test", "name": "owlette"} and options["attestation"] == "none"
    registered = client.post(f"{PK}/register/verify", headers=O,
                             json={"userId": ada.id, "credential": device.create(options), "friendlyName": "My YubiKey"})
    assert registered.status_code == 200, registered.text
    assert registered.json() == {"success": True, "credentialId": b64url(device.credential_id)}
    client.cookies.clear()
    signed_in = _sign_in(client, device)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json() == {"success": True, "userId": ada.id}
    assert "__session=" in signed_in.headers["set-cookie"]
    assert client.get("/owlette/api/auth/session").json()["authenticated"] is True
    listed = client.get(f"{PK}/list", params={"userId": ada.id}).json()["passkeys"]
    assert [(p["credentialId"], p["friendlyName"]) for p in listed] == [(b64url(device.credential_id), "My YubiKey")]
    assert listed[0]["lastUsedAt"] is not None and listed[0]["backedUp"] is False


def test_a_passkey_sign_in_bypasses_mfa(ada, client, device):
    from agentdeck import secretbox
    from agentdeck.storage.models.owlette import OwletteUser

    assert _register(client, ada, device).status_code == 200
    OwletteUser.update(mfa_secret=secretbox.seal("JBSWY3DPEHPK3PXP")).execute()
    client.cookies.clear()
    assert _sign_in(client, device).status_code == 200
    assert client.get("/owlette/api/admin/sites").status_code == 200


def test_a_wrong_challenge_fails(ada, client, device):
    options = client.post(f"{PK}/register/options", headers=O).json()  # no body: for oneself
    forged = device.create(options, challenge=b64url(b"x" * 32))
    refused = client.post(f"{PK}/register/verify", json={"credential": forged}, headers=O)
    assert refused.status_code == 404 and refused.json() == {"error": "Challenge not found or expired"}
    assert _register(client, ada, device).status_code == 200
    client.cookies.clear()
    issued = _options(client)
    assertion = device.get(issued["options"], challenge=b64url(b"y" * 32))
    failed = client.post(f"{PK}/authenticate/verify", json={"credential": assertion, "challengeId": issued["challengeId"]})
    assert failed.status_code == 401 and "error" in failed.json()
    assert client.get("/owlette/api/auth/session").json()["authenticated"] is False


def test_a_wrong_origin_fails(ada, client, device):
    options = client.post(f"{PK}/register/options", json={}, headers=O).json()
    refused = client.post(f"{PK}/register/verify", json={"credential": device.create(options, origin="https://evil.example")},
                          headers=O)
    assert refused.status_code == 403 and "origin" in refused.json()["error"].lower()
    assert _register(client, ada, device).status_code == 200
    client.cookies.clear()
    failed = _sign_in(client, device, origin="https://evil.example")
    assert failed.status_code == 401 and "origin" in failed.json()["error"].lower()


def test_a_replayed_assertion_fails(ada, client, device):
    assert _register(client, ada, device).status_code == 200
    client.cookies.clear()
    issued = _options(client)
    body = {"credential": device.get(issued["options"]), "challengeId": issued["challengeId"]}
    assert client.post(f"{PK}/authenticate/verify", json=body).status_code == 200
    client.cookies.clear()
    replay = client.post(f"{PK}/authenticate/verify", json=body)
    assert replay.status_code == 401 and replay.json() == {"error": "Challenge already used"}
    # The same signed data under a fresh challenge id fails too (the challenge inside differs).
    fresh = _options(client)
    again = client.post(f"{PK}/authenticate/verify", json={**body, "challengeId": fresh["challengeId"]})
    assert again.status_code == 401


def test_a_sign_count_that_does_not_grow_fails(ada, client, device):
    assert _register(client, ada, device).status_code == 200
    assert _sign_in(client, device).status_code == 200
    cloned = _sign_in(client, device, count=device.sign_count)  # a cloned authenticator
    assert cloned.status_code == 401


def test_rename_and_delete_only_ones_own(owlette, ada, client, device):
    assert _register(client, ada, device).status_code == 200
    cid = b64url(device.credential_id)
    renamed = client.patch(f"{PK}/{cid}", json={"userId": ada.id, "friendlyName": "Work laptop"}, headers=O)
    assert renamed.status_code == 200
    assert client.get(f"{PK}/list").json()["passkeys"][0]["friendlyName"] == "Work laptop"
    assert client.patch(f"{PK}/{cid}", json={"friendlyName": "x" * 51}, headers=O).status_code == 400
    bob = owlette.user("bob@example.com")
    assert client.get(f"{PK}/list", params={"userId": bob.id}).status_code == 403
    sign_in(client, "bob@example.com")
    assert client.patch(f"{PK}/{cid}", json={"friendlyName": "mine"}, headers=O).status_code == 404
    assert client.delete(f"{PK}/{cid}", headers=O).status_code == 404
    sign_in(client, "ada@example.com")
    assert client.delete(f"{PK}/{cid}", params={"userId": ada.id}, headers=O).status_code == 200
    assert client.get(f"{PK}/list").json()["passkeys"] == []
    client.cookies.clear()
    assert _sign_in(client, device).status_code == 401
