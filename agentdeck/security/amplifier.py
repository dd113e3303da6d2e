"""Amplifier application keys (``X-API-Key``), named by ``securitySchemes`` in amplifier.yaml.

Who may call what, with ``AUTH_REQUIRED=true`` (each operation's ``security`` in the spec names
one of the three schemes below, and its description says it in words):

============================  ==========================================================
scheme                        operations
============================  ==========================================================
none (``security: []``)       ``GET /``, ``/health``, ``/version``, ``/redoc``, the docs
``applicationKey`` (any key)  sessions and messages, configs, ``GET /smoke-tests/quick``
``ownerKey`` (itself, admin)  ``GET`` / ``DELETE /applications/{app_id}``,
                              ``POST /applications/{app_id}/regenerate-key``
``adminKey`` (admin only)     ``GET`` / ``POST /applications``, ``GET /smoke-tests``
============================  ==========================================================

An application key may manage only its own application; listing, registering and managing other
applications is for admin applications. A non-admin key naming another application gets 403
without the application being looked up, so the answer is the same whether it exists or not and
says nothing about which ids are taken.

With ``AUTH_REQUIRED=true`` the served spec lists only the key schemes, so a request without a
key is refused (401) before these run; with it off (the default) the spec also lists an anonymous
alternative, and a key that fails here is ignored rather than refused: anyone may call anything.
"""
from __future__ import annotations

import asyncio

from agentdeck.amplifier.applications import application_for_key
from agentdeck.errors import Forbidden, Unauthorized

ADMIN_REQUIRED = "Admin application required"
OWNER_REQUIRED = "An application key may manage only its own application"


async def check_application_key(api_key: str, required_scopes=None) -> dict:
    """Token info for a valid, active application key; ``Unauthorized`` otherwise."""
    app = await asyncio.to_thread(application_for_key, api_key)
    if app is None:
        raise Unauthorized("Invalid API key")
    if not app.is_active:
        raise Unauthorized("Application is inactive")
    return {"sub": app.app_id, "is_admin": app.is_admin}


async def check_owner_key(api_key: str, request=None, required_scopes=None) -> dict:
    """Token info for the key of the application named by the path's ``app_id``, or of an admin
    application; ``Forbidden`` for any other application's key."""
    info = await check_application_key(api_key)
    target = request.scope.get("path_params", {}).get("app_id") if request is not None else None
    if not info["is_admin"] and (target is None or target != info["sub"]):
        raise Forbidden(f"{OWNER_REQUIRED} ('{info['sub']}'); other applications need an admin key")
    return info


async def check_admin_key(api_key: str, required_scopes=None) -> dict:
    """Token info for an active application marked admin; ``Forbidden`` for other applications."""
    info = await check_application_key(api_key)
    if not info["is_admin"]:
        raise Forbidden(f"{ADMIN_REQUIRED}: this key may not do this")
    return info
