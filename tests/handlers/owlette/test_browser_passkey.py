"""A passkey registered and used in a real browser: headless Chromium with a virtual
authenticator (DevTools' WebAuthn domain) calls navigator.credentials on the dashboard's origin
against a real server, as the dashboard's own page does."""
from __future__ import annotations

import shutil

import pytest

from tests.support.packages import install_debian_packages
from tests.support.postgres import free_port
from tests.support.servers import ThreadedServer

# Chromium in a closed sandbox: no first-run, sync or background fetches (they would only fail).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# What the dashboard's page does: sign in, ask for options, create the credential, send it back;
# then, signed out, ask for a challenge and sign in with the passkey alone.
REGISTER = """async ({email, password}) => {
  const post = (path, body) => fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                            body: JSON.stringify(body)});
  const signedIn = await post('/owlette/api/auth/session', {email, password});
  if (!signedIn.ok) return {step: 'sign-in', status: signedIn.status};
  const options = await (await post('/owlette/api/passkeys/register/options', {})).json();
  const credential = await navigator.credentials.create(
      {publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)});
  const verified = await post('/owlette/api/passkeys/register/verify',
                              {credential: credential.toJSON(), friendlyName: 'Chromium'});
  return {step: 'register', status: verified.status, body: await verified.json()};
}"""

SIGN_IN = """async () => {
  const post = (path, body) => fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                            body: JSON.stringify(body)});
  const issued = await (await post('/owlette/api/passkeys/authenticate/options', {})).json();
  const assertion = await navigator.credentials.get(
      {publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(issued.options)});
  const verified = await post('/owlette/api/passkeys/authenticate/verify',
                              {credential: assertion.toJSON(), challengeId: issued.challengeId});
  const session = await (await fetch('/owlette/api/auth/session')).json();
  return {status: verified.status, body: await verified.json(), session};
}"""


@pytest.fixture
def chromium_path():
    if not shutil.which("chromium"):
        install_debian_packages("chromium")  # a fresh machine may lack it
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed and could not be installed (needs root and apt-get)")
    return path


@pytest.fixture
def dashboard(settings, monkeypatch):
    """owlette served on localhost (a secure context for WebAuthn over http), its origin set."""
    port = free_port()
    monkeypatch.setenv("AGENTDECK_SURFACES", "owlette")
    monkeypatch.setenv("AGENTDECK_OWLETTE_ORIGIN", f"http://localhost:{port}")
    from agentdeck.app import create_app
    from agentdeck.owlette import accounts
    from agentdeck.settings import reset_settings

    reset_settings()
    app = create_app()
    user = accounts.create_user("ada@example.com", "correct horse battery staple", False)
    with ThreadedServer(app, port=port):
        yield f"http://localhost:{port}", user


def test_a_passkey_registered_in_chromium_signs_the_user_in(dashboard, chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    origin, user = dashboard
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            devtools = context.new_cdp_session(page)
            devtools.send("WebAuthn.enable")
            authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
                "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}})
            page.goto(f"{origin}/owlette/api/auth/session")
            registered = page.evaluate(REGISTER, {"email": "ada@example.com",
                                                  "password": "correct horse battery staple"})
            assert registered["status"] == 200, registered
            assert registered["body"]["success"] is True
            stored = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]})
            assert [c["isResidentCredential"] for c in stored["credentials"]] == [True]

            context.clear_cookies()  # signed out: only the passkey can sign in now
            assert page.evaluate("async () => (await (await fetch('/owlette/api/auth/session')).json()).authenticated") is False
            signed_in = page.evaluate(SIGN_IN)
            assert signed_in["status"] == 200, signed_in
            assert signed_in["body"] == {"success": True, "userId": user.id}
            assert signed_in["session"]["authenticated"] is True
            signed_count = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]})
            assert signed_count["credentials"][0]["signCount"] >= 1
        finally:
            browser.close()
