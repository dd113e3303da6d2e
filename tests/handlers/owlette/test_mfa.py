"""TOTP MFA: setup with a QR code, confirmation, the pending session, codes used once, backup codes."""
from __future__ import annotations

import base64
import time

import pyotp
import pytest

from tests.handlers.owlette.conftest import ORIGIN, sign_in

O = {"Origin": ORIGIN}
MFA = "/owlette/api/mfa"


def _enable(client, user, backup_codes=("AAAA1111", "BBBB2222")):
    setup = client.post(f"{MFA}/setup", json={"userId": user.id, "email": user.email}, headers=O)
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    body = {"userId": user.id, "code": pyotp.TOTP(secret).now()}
    if backup_codes is not None:
        body["backupCodes"] = list(backup_codes)
    confirmed = client.post(f"{MFA}/verify-setup", json=body, headers=O)
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()


def _next_code(secret):
    # A code of a later step than the one just spent (within the ±1 step window).
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.fixture
def ada(owlette, client):
    user = owlette.user("ada@example.com")
    sign_in(client, "ada@example.com")
    return user


def test_setup_gives_a_secret_and_a_png_qr_code(ada, client):
    body = client.post(f"{MFA}/setup", json={"userId": ada.id, "email": ada.email}, headers=O).json()
    assert len(body["secret"]) >= 16
    prefix = "data:image/png;base64,"
    assert body["qrCodeUrl"].startswith(prefix)
    assert base64.b64decode(body["qrCodeUrl"][len(prefix):])[:8] == b"\x89PNG\r\n\x1a\n"
    assert body["otpauthUrl"] == pyotp.TOTP(body["secret"]).provisioning_uri(name=ada.email, issuer_name="owlette")


def test_a_wrong_first_code_does_not_turn_mfa_on(ada, client):
    client.post(f"{MFA}/setup", json={"userId": ada.id}, headers=O)
    wrong = client.post(f"{MFA}/verify-setup", json={"userId": ada.id, "code": "000000"}, headers=O)
    assert wrong.status_code == 401 and wrong.json() == {"error": "Invalid verification code"}
    assert sign_in(client, "ada@example.com").json()["mfaRequired"] is False


def test_a_code_with_non_ascii_characters_is_a_wrong_code(ada, client):
    client.post(f"{MFA}/setup", json={"userId": ada.id}, headers=O)
    wrong = client.post(f"{MFA}/verify-setup", json={"userId": ada.id, "code": "12345\u00e9"}, headers=O)
    assert wrong.status_code == 401 and wrong.json() == {"error": "Invalid verification code"}


def test_the_secret_is_stored_encrypted_and_backup_codes_hashed(ada, client):
    from agentdeck.storage.models.owlette import OwletteBackupCode, OwletteUser

    secret, _ = _enable(client, ada)
    stored = OwletteUser.get_by_id(ada.id).mfa_secret
    assert secret not in stored and stored.startswith("v1:")
    hashes = {row.code_hash for row in OwletteBackupCode.select()}
    assert len(hashes) == 2 and "AAAA1111" not in hashes


def test_sign_in_with_mfa_waits_for_the_code(ada, client):
    secret, _ = _enable(client, ada)
    assert sign_in(client, "ada@example.com").json()["mfaRequired"] is True
    assert client.get("/owlette/api/admin/sites").status_code == 401
    assert client.post(f"{MFA}/setup", json={}, headers=O).status_code == 401  # pending: refused
    done = client.post(f"{MFA}/verify-login", json={"userId": ada.id, "code": _next_code(secret)}, headers=O)
    assert done.status_code == 200 and done.json() == {"success": True, "backupCodeUsed": False}
    assert client.get("/owlette/api/admin/sites").status_code == 200
    assert client.get("/owlette/api/auth/session").json()["authenticated"] is True


def test_a_code_already_used_is_refused(ada, client):
    secret, _ = _enable(client, ada)
    code = _next_code(secret)
    sign_in(client, "ada@example.com")
    assert client.post(f"{MFA}/verify-login", json={"userId": ada.id, "code": code}, headers=O).status_code == 200
    sign_in(client, "ada@example.com")
    replay = client.post(f"{MFA}/verify-login", json={"userId": ada.id, "code": code}, headers=O)
    assert replay.status_code == 401 and replay.json() == {"error": "Invalid verification code"}
    assert client.get("/owlette/api/admin/sites").status_code == 401


def test_a_code_two_steps_away_is_refused(ada, client):
    secret, _ = _enable(client, ada)
    sign_in(client, "ada@example.com")
    far = pyotp.TOTP(secret).at(time.time() + 90)
    assert client.post(f"{MFA}/verify-login", json={"userId": ada.id, "code": far}, headers=O).status_code == 401


def test_backup_codes_work_once(ada, client):
    _enable(client, ada)
    sign_in(client, "ada@example.com")
    body = {"userId": ada.id, "code": "aaaa-1111", "isBackupCode": True}
    used = client.post(f"{MFA}/verify-login", json=body, headers=O)
    assert used.json() == {"success": True, "backupCodeUsed": True}
    sign_in(client, "ada@example.com")
    assert client.post(f"{MFA}/verify-login", json=body, headers=O).status_code == 401


def test_backup_codes_are_made_when_none_are_given(ada, client):
    _, confirmed = _enable(client, ada, backup_codes=None)
    assert len(confirmed["backupCodes"]) == 10
    sign_in(client, "ada@example.com")
    body = {"userId": ada.id, "code": confirmed["backupCodes"][3], "isBackupCode": True}
    assert client.post(f"{MFA}/verify-login", json=body, headers=O).status_code == 200


def test_mfa_is_set_up_only_for_oneself(owlette, ada, client):
    other = owlette.user("bob@example.com")
    refused = client.post(f"{MFA}/setup", json={"userId": other.id}, headers=O)
    assert refused.status_code == 403 and refused.json() == {"error": "Forbidden: You can only manage your own account"}
    assert client.post(f"{MFA}/verify-setup", json={"userId": other.id, "code": "123456"}, headers=O).status_code == 403


def test_a_second_setup_while_on_is_a_conflict(ada, client):
    _enable(client, ada)
    again = client.post(f"{MFA}/setup", headers=O)  # no body: for oneself
    assert again.status_code == 409 and again.json() == {"error": "MFA is already enabled"}
