"""owlette authentication, named by the spec's securitySchemes.

- ``session``: the ``__session`` cookie of a completed session; a session pending its MFA code is
  refused (401). State-changing cookie requests must come from the dashboard's origin (403).
- ``pendingSession``: the same cookie, also while pending (``POST /api/mfa/verify-login``).
- ``apiKey`` / ``apiKeyQuery``: an ``owk_`` key in ``x-api-key`` or ``?api_key=``, acting as its user.
- ``agent``: ``Authorization: Bearer <access token>`` of an enrolled agent (``sub`` =
  ``agent:<site>:<machine>``, with ``site_id`` and ``machine_id``); revoked tokens fail at once.

The checks query the database, so they run in a worker thread, off the event loop.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from agentdeck.owlette import access_tokens, apikeys, sessions
from agentdeck.owlette.origins import check_origin
from agentdeck.owlette.principals import Principal
from agentdeck.storage.db import gives_back_connection


def _session_principal(cookie: str, allow_pending: bool) -> dict:
    user, session = sessions.user_for_cookie(cookie, allow_pending)
    return {**Principal(user.id, user.is_admin, "session").token_info(), "session": session.token_hash}


async def check_session(api_key, required_scopes=None, request=None):
    """The signed-in user (``sub`` = user id) of a completed session, or Unauthorized/Forbidden."""
    if request is not None:
        check_origin(request.method, request.headers)
    return await run_in_threadpool(gives_back_connection(_session_principal), api_key, False)


async def check_pending_session(api_key, required_scopes=None, request=None):
    """As ``check_session``, but a session waiting for its MFA code is accepted too."""
    if request is not None:
        check_origin(request.method, request.headers)
    return await run_in_threadpool(gives_back_connection(_session_principal), api_key, True)


def _key_principal(key: str) -> dict:
    user = apikeys.user_for_key(key)
    return Principal(user.id, user.is_admin, "apiKey").token_info()


async def check_api_key(api_key, required_scopes=None, request=None):
    """The user an API key acts as, or Unauthorized."""
    return await run_in_threadpool(gives_back_connection(_key_principal), api_key)


async def check_agent_token(token, required_scopes=None, request=None):
    """The agent's claims (``sub``, ``site_id``, ``machine_id``, ``version``), or Unauthorized."""
    return await run_in_threadpool(gives_back_connection(access_tokens.verify), token)
