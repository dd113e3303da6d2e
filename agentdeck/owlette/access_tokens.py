"""Agent access tokens: HS256 JWTs (``role=agent``, ``site_id``, ``machine_id``, ``version``) for
an hour, naming the refresh token they were issued under (``tid``).

The signing key is random, kept sealed in the database so every worker signs and checks alike.
Checking a token also reads its refresh token's row: revoking that row ends the access token at
once, on every worker.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time

from agentdeck import secretbox
from agentdeck.errors import Unauthorized
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteAgentToken, OwletteSigningKey

LIFETIME = 3600
ISSUER = "agentdeck-owlette"
_cache: dict[str, bytes] = {}
_lock = threading.Lock()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signing_key() -> bytes:
    with _lock:
        if "agent" not in _cache:
            with writing():
                (OwletteSigningKey.insert(name="agent", sealed_key=secretbox.seal(secrets.token_hex(32)))
                 .on_conflict_ignore().execute())
            _cache["agent"] = bytes.fromhex(secretbox.unseal(OwletteSigningKey.get_by_id("agent").sealed_key))
        return _cache["agent"]


def issue(token: OwletteAgentToken) -> str:
    """A signed access token for the machine of refresh token ``token``."""
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": f"agent:{token.site_id}:{token.machine_id}", "role": "agent",
              "site_id": token.site_id, "machine_id": token.machine_id, "version": token.version,
              "tid": token.id, "iat": now, "exp": now + LIFETIME}
    signing_input = _b64(b'{"alg":"HS256","typ":"JWT"}') + "." + _b64(json.dumps(claims).encode())
    signature = hmac.new(_signing_key(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def verify(access_token: str) -> dict:
    """The claims of a valid, unexpired, unrevoked access token; ``Unauthorized`` otherwise."""
    try:
        header, payload, signature = access_token.split(".")
        expected = hmac.new(_signing_key(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise ValueError("bad signature")
        claims = json.loads(_unb64(payload))
    except ValueError as exc:  # also malformed base64 and JSON
        raise Unauthorized("Invalid agent token") from exc
    if claims.get("role") != "agent" or claims.get("exp", 0) < time.time():
        raise Unauthorized("Agent token expired")
    live = (OwletteAgentToken.select()
            .where((OwletteAgentToken.id == claims.get("tid")) & OwletteAgentToken.revoked_at.is_null())
            .exists())
    if not live:
        raise Unauthorized("Agent token revoked")
    return claims
