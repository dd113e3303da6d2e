"""agtOS authentication, named by the spec's securitySchemes.

- ``apiKey``: ``Authorization: Bearer <AGTOS_API_KEY>``. The served spec requires it on every
  ``/api/*`` operation only when ``AGTOS_API_KEY`` is set; the exempt paths (``/health...``,
  ``/metrics``, ``POST /api/credentials/validate``, ``GET /api/setup-token``) never need it.
- ``setupToken``: ``X-Setup-Token: <token from GET /api/setup-token>``, the alternative on the
  credential-storing operations during onboarding.

Both refuse with the reference's 401 body. Where a request comes from (loopback only for the
credential operations) is a rule of those operations, checked in the domain.
"""
from __future__ import annotations

import hmac

from starlette.concurrency import run_in_threadpool

from agentdeck.agtos.platform.setup_token import is_valid_setup_token
from agentdeck.errors import Unauthorized
from agentdeck.settings import get_settings
from agentdeck.storage.db import gives_back_connection


def check_api_key(token: str, required_scopes=None) -> dict:
    """Token info for the configured ``AGTOS_API_KEY``; ``Unauthorized`` otherwise."""
    key = get_settings().agtos_api_key
    if not key or not hmac.compare_digest(key.encode(), token.encode()):
        raise Unauthorized("Invalid API key")
    return {"sub": "api-key"}


async def check_setup_token(token: str, required_scopes=None) -> dict:
    """Token info for the current onboarding setup token; ``Unauthorized`` otherwise."""
    if not await run_in_threadpool(gives_back_connection(is_valid_setup_token), token):
        raise Unauthorized("Invalid or expired setup token")
    return {"sub": "setup-token"}
