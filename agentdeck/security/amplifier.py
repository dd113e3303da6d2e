"""Amplifier application keys (``X-API-Key``), named by ``securitySchemes`` in amplifier.yaml.

With ``AUTH_REQUIRED=true`` the served spec lists only the key scheme, so a request without a key
is refused (401) before these run; with it off (the default) the spec also lists an anonymous
alternative, and a key that fails here is ignored rather than refused.
"""
from __future__ import annotations

import asyncio

from agentdeck.amplifier.applications import application_for_key
from agentdeck.errors import Forbidden, Unauthorized


async def check_application_key(api_key: str, required_scopes=None) -> dict:
    """Token info for a valid, active application key; ``Unauthorized`` otherwise."""
    app = await asyncio.to_thread(application_for_key, api_key)
    if app is None:
        raise Unauthorized("Invalid API key")
    if not app.is_active:
        raise Unauthorized("Application is inactive")
    return {"sub": app.app_id, "is_admin": app.is_admin}


async def check_admin_key(api_key: str, required_scopes=None) -> dict:
    """Token info for an active application marked admin; ``Forbidden`` for other applications."""
    info = await check_application_key(api_key)
    if not info["is_admin"]:
        raise Forbidden("Admin application required: this key may not run the full smoke tests")
    return info
