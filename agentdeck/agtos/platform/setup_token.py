"""The onboarding setup token: lets the setup wizard store provider keys before any API key
exists.

Made at start when ``AGTOS_API_KEY`` is unset and valid for 30 minutes. It lives in the
database, so every worker (and every host on one database) hands out and accepts the same one:
a worker starting while a token is still valid keeps it, and a restart does not extend it. With
``AGTOS_API_KEY`` set there is none. It is read only from loopback clients.
"""
from __future__ import annotations

import hmac
import ipaddress
import secrets
from datetime import timedelta

from agentdeck import secretbox
from agentdeck.errors import Forbidden, NotFound
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos import AgtosSetupToken
from agentdeck.timeutil import utcnow

TTL = timedelta(minutes=30)


def is_loopback(host: str | None) -> bool:
    """True when ``host`` (a client address) is a loopback address."""
    try:
        return ipaddress.ip_address((host or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def prepare_setup_token() -> None:
    """At start: keep a valid token or make one (no ``AGTOS_API_KEY``); drop it otherwise."""
    with writing():
        if get_settings().agtos_api_key:
            AgtosSetupToken.delete().execute()
            return
        row = AgtosSetupToken.get_or_none()
        if row is not None and row.expires_at > utcnow():
            return
        now, sealed = utcnow(), secretbox.seal(secrets.token_hex(32))
        fields = {AgtosSetupToken.token: sealed, AgtosSetupToken.created_at: now,
                  AgtosSetupToken.expires_at: now + TTL}
        (AgtosSetupToken.insert({AgtosSetupToken.name: "setup", **fields})
         .on_conflict(conflict_target=[AgtosSetupToken.name], update=fields).execute())


def current_token() -> str | None:
    """The valid setup token, or None (none made, expired, or ``AGTOS_API_KEY`` is set)."""
    if get_settings().agtos_api_key:
        return None
    row = AgtosSetupToken.get_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    return secretbox.unseal(row.token)


def setup_token_for(client_host: str | None) -> str:
    """The token for a loopback client; ``Forbidden`` for others, ``NotFound`` when none."""
    if not is_loopback(client_host):
        raise Forbidden("Setup token only available from localhost")
    token = current_token()
    if token is None:
        raise NotFound("No setup token available")
    return token


def is_valid_setup_token(candidate: str) -> bool:
    """True when ``candidate`` is the current setup token (compared in constant time)."""
    token = current_token()
    return token is not None and hmac.compare_digest(token.encode(), candidate.encode())
