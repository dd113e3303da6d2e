"""AugmentOS authentication, named by the spec's securitySchemes.

- ``tpaApiKey``: ``X-API-Key`` checked against the stored digest of the app named by
  ``X-Package-Name`` (both headers are required; either missing or wrong is 401).
- ``coreToken``: ``Authorization: Bearer <core token>`` for the glasses-client extensions.

The checks query the database, so they run in a worker thread, off the event loop.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from agentdeck.augmentos.apps import authenticate_tpa
from agentdeck.augmentos.users import require_user


async def check_tpa_key(api_key, request=None):
    """The TPA's package name as principal, or ``Unauthorized``."""
    package_name = request.headers.get("x-package-name") if request is not None else None
    app = await run_in_threadpool(authenticate_tpa, package_name, api_key)
    return {"sub": app.package_name, "app_id": app.id}


async def check_core_token(token, request=None):
    """The user id as principal, or ``Unauthorized``."""
    return {"sub": await run_in_threadpool(require_user, token)}
