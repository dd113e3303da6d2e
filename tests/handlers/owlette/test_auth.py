"""Every protected operation of the spec refuses a request without credentials, with an expired
or revoked cookie, and with a revoked API key, in owlette's ``{error}`` shape; the sweeps the
surface names resolve and run."""
from __future__ import annotations

import re

import pytest
import yaml

from agentdeck.surfaces import SURFACES, spec_dir
from tests.handlers.owlette.conftest import ORIGIN, api_key, sign_in

SPEC = yaml.safe_load((spec_dir() / "owlette.yaml").read_text())
PROTECTED = [(method.upper(), path, op) for path, ops in SPEC["paths"].items() for method, op in ops.items()
             if op.get("security")]


def _request(client, method, path, op, **kwargs):
    url = "/owlette" + re.sub(r"\{[^}]+\}", "x", path)
    params = {"siteId": "nyc-office"} if any("SiteId" in p.get("$ref", "") for p in op.get("parameters", [])) else {}
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
    return client.request(method, url, params=params, json=body, headers={"Origin": ORIGIN, **kwargs.pop("headers", {})},
                          **kwargs)


@pytest.mark.parametrize("method,path,op", PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_no_credentials_401(owlette, client, method, path, op):
    response = _request(client, method, path, op)
    assert response.status_code == 401 and set(response.json()) == {"error"}


@pytest.mark.parametrize("method,path,op", PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_a_signed_out_cookie_and_a_revoked_key_401(owlette, client, method, path, op):
    from agentdeck.storage.models.owlette import OwletteApiKey, OwletteSession
    from agentdeck.timeutil import utcnow

    owlette.user("ada@example.com")
    key = api_key(client, "ada@example.com")
    sign_in(client, "ada@example.com")
    OwletteSession.update(revoked_at=utcnow()).execute()
    OwletteApiKey.update(revoked_at=utcnow()).execute()
    assert _request(client, method, path, op).status_code == 401
    client.cookies.clear()
    assert _request(client, method, path, op, headers={"x-api-key": key}).status_code == 401


def test_the_surfaces_sweeps_run(owlette, client):
    SURFACES["owlette"].run_sweeps()


def test_sweeps_drop_what_expired_long_ago(owlette, client):
    from datetime import timedelta

    from agentdeck.owlette import sessions
    from agentdeck.storage.models.owlette import OwletteSession, OwletteWebauthnChallenge
    from agentdeck.timeutil import utcnow

    user = owlette.user("ada@example.com")
    sessions.open_session(user)
    assert client.post("/owlette/api/passkeys/authenticate/options").status_code == 200
    long_ago = utcnow() - timedelta(days=2)
    OwletteSession.update(expires_at=long_ago).execute()
    OwletteWebauthnChallenge.update(expires_at=long_ago).execute()
    SURFACES["owlette"].run_sweeps()
    assert OwletteSession.select().count() == 0 and OwletteWebauthnChallenge.select().count() == 0
