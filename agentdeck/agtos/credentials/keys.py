"""Storing and deleting provider keys: loopback clients only, as upstream.

Who may call (the API key or the setup token) is settled by the spec's security before these
run; where the request comes from is checked here.
"""
from __future__ import annotations

from agentdeck.agtos.platform.setup_token import is_loopback
from agentdeck.errors import Forbidden, NotFound
from agentdeck.router import credentials

LOCAL_ONLY = "Credential storage only available from localhost"


def _require_loopback(client_host: str | None) -> None:
    if not is_loopback(client_host):
        raise Forbidden(LOCAL_ONLY)


def store_key(client_host: str | None, scope: str, api_key: str) -> dict:
    """Store ``api_key`` for the provider ``scope`` names (``provider-openai`` ...)."""
    _require_loopback(client_host)
    credentials.set_key(scope, api_key)
    return {"success": True, "provider": scope}


def delete_key(client_host: str | None, scope: str) -> dict:
    """Forget ``scope``'s key; ``NotFound`` when none is stored."""
    _require_loopback(client_host)
    if not credentials.delete_key(scope):
        raise NotFound("No credentials stored for this provider")
    return {"success": True, "provider": scope}


def delete_all_keys(client_host: str | None) -> dict:
    """Forget every stored key; says how many there were."""
    _require_loopback(client_host)
    return {"success": True, "cleared": credentials.delete_all()}
