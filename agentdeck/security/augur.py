"""Augur authentication, named by the spec's securitySchemes.

- ``dsn``: ``Authorization: Bearer <DSN api key>`` on the ingest endpoints. A credential that is
  not a key is 401; a key the server does not know (or has revoked) is 403, as the reference says.
- ``session``: the ``augur_session`` cookie set by ``POST /api/v1/auth/login``; for admins the
  ``augur_tenant_override`` cookie picks the tenant that reads are scoped to.

The checks query the database, so they run in a worker thread, off the event loop.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from agentdeck.augur.dsns import client_for_key, recently_accepted
from agentdeck.augur.sessions import OVERRIDE_COOKIE, viewer_for
from agentdeck.storage.db import gives_back_connection


async def check_dsn_key(token, request=None):
    """The DSN's client (``sub`` = ``dsn:<id>``) as token info, or Unauthorized/Forbidden."""
    # A key accepted moments ago is answered here, sparing the hot ingest path a thread hop.
    client = recently_accepted(token)
    if client is None:
        client = await run_in_threadpool(gives_back_connection(client_for_key), token)
    return client.token_info()


async def check_session(api_key, request=None):
    """The signed-in viewer (``sub`` = user id) as token info, or Unauthorized."""
    override = request.cookies.get(OVERRIDE_COOKIE) if request is not None else None
    viewer = await run_in_threadpool(gives_back_connection(viewer_for), api_key, override)
    return viewer.token_info()

