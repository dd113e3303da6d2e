"""The issue's "done when", tried as a new user would, against a real server on loopback: the
operator makes an admin and a site from the CLI, the admin signs in, turns on TOTP, registers a
passkey and signs in with it, issues an agent registration code that a machine exchanges for
tokens, and makes an API key for a script."""
from __future__ import annotations

import time

import httpx
import pyotp
from click.testing import CliRunner

from agentdeck.cli import main
from tests.handlers.owlette.authenticator import SoftwareAuthenticator
from tests.handlers.owlette.conftest import ORIGIN


def _cli(*args):
    result = CliRunner().invoke(main, ["owlette", *args])
    assert result.exit_code == 0, result.output


def test_a_new_operator_and_admin_end_to_end(owlette, live_server):
    _cli("user-create", "admin@example.com", "--password", "s3cret-pass", "--admin")
    _cli("site-create", "nyc-office", "--name", "NYC Office", "--owner", "admin@example.com")
    base = f"{live_server}/owlette/api"
    browser = httpx.Client(base_url=base, headers={"Origin": ORIGIN})
    signed = browser.post("/auth/session", json={"email": "admin@example.com", "password": "s3cret-pass"}).json()
    user_id = signed["userId"]
    assert browser.get("/admin/sites").json()["sites"][0]["id"] == "nyc-office"

    # TOTP with an authenticator app
    secret = browser.post("/mfa/setup", json={"userId": user_id, "email": "admin@example.com"}).json()["secret"]
    totp = pyotp.TOTP(secret)
    assert browser.post("/mfa/verify-setup", json={"userId": user_id, "code": totp.now()}).status_code == 200
    browser.cookies.clear()
    assert browser.post("/auth/session", json={"email": "admin@example.com", "password": "s3cret-pass"}).json()["mfaRequired"]
    assert browser.get("/admin/sites").status_code == 401
    code = totp.at(time.time() + 30)
    assert browser.post("/mfa/verify-login", json={"userId": user_id, "code": code}).status_code == 200
    assert browser.get("/admin/sites").status_code == 200

    # a passkey, then signing in with it alone
    device = SoftwareAuthenticator("dashboard.test", ORIGIN)
    options = browser.post("/passkeys/register/options", json={"userId": user_id}).json()
    registered = browser.post("/passkeys/register/verify",
                              json={"userId": user_id, "credential": device.create(options), "friendlyName": "Laptop"})
    assert registered.status_code == 200, registered.text
    browser.cookies.clear()
    issued = browser.post("/passkeys/authenticate/options").json()
    passkey = browser.post("/passkeys/authenticate/verify",
                           json={"credential": device.get(issued["options"]), "challengeId": issued["challengeId"]})
    assert passkey.json() == {"success": True, "userId": user_id}
    assert browser.get("/auth/session").json()["authenticated"] is True

    # an agent enrols with a registration code
    registration = browser.post("/agent/generate-installer", json={"siteId": "nyc-office"}).json()["registrationCode"]
    machine = httpx.Client(base_url=base)
    tokens = machine.post("/agent/auth/exchange",
                          json={"registrationCode": registration, "machineId": "DESKTOP-ABC123", "version": "2.1.8"}).json()
    assert tokens["siteId"] == "nyc-office" and tokens["expiresIn"] == 3600
    refreshed = machine.post("/agent/auth/refresh", json={"refreshToken": tokens["refreshToken"], "machineId": "DESKTOP-ABC123"})
    assert refreshed.status_code == 200
    assert browser.get("/admin/tokens/list", params={"siteId": "nyc-office"}).json()["count"] == 1

    # an API key for a script
    key = browser.post("/admin/keys/create", json={"name": "nightly report"}).json()["key"]
    script = httpx.Client(base_url=base, headers={"x-api-key": key})
    assert script.get("/admin/sites").json()["sites"][0]["id"] == "nyc-office"
    assert httpx.get(f"{base}/admin/sites", params={"api_key": key}).status_code == 200
