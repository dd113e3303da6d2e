"""Sign-in sessions behind the ``__session`` cookie.

The cookie holds ``{sid, userId, expiresAt}`` sealed with the secret box (so it is encrypted and
cannot be forged); ``sid`` names a server-side session stored as its SHA-256, which signing out
revokes at once for every worker. A user with MFA gets a *pending* session from a password alone.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from starlette.concurrency import run_in_threadpool

from agentdeck import ratelimit, secretbox, throttle
from agentdeck.errors import Unauthorized
from agentdeck.security.tokens import hash_token, new_token
from agentdeck.settings import get_settings
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.owlette import OwletteSession, OwletteUser
from agentdeck.timeutil import utcnow

from agentdeck.owlette import password_checks
from agentdeck.owlette.accounts import normalise_email, password_hash_for

SESSION_COOKIE = "__session"
DEFAULT_DAYS = 7
AUTH_LIMIT = ratelimit.Limit("owlette-auth", 10, 60)
MFA_REQUIRED = "MFA verification required"


@dataclass(frozen=True)
class OpenedSession:
    """A session just opened: the cookie value (shown once), its lifetime and its user."""

    cookie: str
    max_age: int
    user: OwletteUser
    mfa_pending: bool


def _encode(payload: dict) -> str:
    return base64.urlsafe_b64encode(secretbox.seal(json.dumps(payload)).encode()).decode().rstrip("=")


def _decode(cookie: str) -> dict | None:
    try:
        sealed = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4)).decode()
        return json.loads(secretbox.unseal(sealed))
    except (ValueError, binascii.Error, UnicodeDecodeError, InvalidTag):
        return None  # not sealed by this server's key, or tampered with


def open_session(user: OwletteUser, days: int = DEFAULT_DAYS, mfa_pending: bool = False) -> OpenedSession:
    """A new server-side session for ``user`` and the cookie standing for it."""
    sid = new_token()
    expires = utcnow() + timedelta(days=days)
    with writing():
        OwletteSession.create(token_hash=hash_token(sid), user=user.id, expires_at=expires,
                              mfa_pending=mfa_pending)
    cookie = _encode({"sid": sid, "userId": user.id, "expiresAt": _millis(expires)})
    return OpenedSession(cookie, days * 86400, user, mfa_pending)


def _sign_in_limits(email: str, client_address: str | None) -> dict[str, int]:
    settings = get_settings()
    limits = {f"owlette-login:account:{normalise_email(email)}": settings.login_max_failures}
    if client_address:
        limits[f"owlette-login:address:{client_address}"] = 5 * settings.login_max_failures
    return limits


def _before_password_check(email: str, client_address: str | None):
    ratelimit.hit(AUTH_LIMIT, client_address)
    throttle.refuse_if_throttled(_sign_in_limits(email, client_address), get_settings().login_window_seconds)
    return password_hash_for(email)


def _after_password_check(user: OwletteUser | None, matched: bool, email: str, days: int,
                          client_address: str | None) -> OpenedSession:
    limits = _sign_in_limits(email, client_address)
    if user is None or not matched:
        throttle.record_failure(list(limits), get_settings().login_window_seconds)
        raise Unauthorized("Invalid email or password")
    throttle.clear(next(iter(limits)))
    return open_session(user, days, mfa_pending=user.mfa_enabled)


async def sign_in(email: str, password: str, days: int, client_address: str | None) -> OpenedSession:
    """Check email and password and open a session (pending when the user has MFA).

    10 sign-ins a minute per client address (``ratelimit``); failed attempts are throttled per
    account and address as Augur's are (``throttle``). The database work runs on worker threads,
    the argon2 check on the password pool (``password_checks``), never on the event loop.
    """
    user, stored = await run_in_threadpool(gives_back_connection(_before_password_check), email, client_address)
    matched = await password_checks.verify(stored, password)
    return await run_in_threadpool(gives_back_connection(_after_password_check), user, matched, email, days,
                                   client_address)


def session_row(cookie: str | None) -> OwletteSession | None:
    """The live (unexpired, unrevoked) session behind a cookie, with its user; else None."""
    payload = _decode(cookie) if cookie else None
    if not isinstance(payload, dict) or not isinstance(payload.get("sid"), str):
        return None
    return (OwletteSession.select(OwletteSession, OwletteUser).join(OwletteUser)
            .where((OwletteSession.token_hash == hash_token(payload["sid"]))
                   & OwletteSession.revoked_at.is_null()
                   & (OwletteSession.expires_at > utcnow()))
            .first())


def user_for_cookie(cookie: str, allow_pending: bool = False) -> tuple[OwletteUser, OwletteSession]:
    """The user a cookie signs in; ``Unauthorized`` when it is not a live session, or is
    pending MFA and ``allow_pending`` is false."""
    row = session_row(cookie)
    if row is None:
        raise Unauthorized("Unauthorized: session missing, expired or signed out")
    if row.mfa_pending and not allow_pending:
        raise Unauthorized(MFA_REQUIRED)
    return row.user, row


def complete_mfa(session: OwletteSession) -> None:
    """Mark a pending session complete (its MFA code was right)."""
    with writing():
        OwletteSession.update(mfa_pending=False).where(OwletteSession.token_hash == session.token_hash).execute()


def sign_out(cookie: str | None) -> None:
    """Revoke the session behind ``cookie``, if any."""
    row = session_row(cookie)
    if row is not None:
        with writing():
            OwletteSession.update(revoked_at=utcnow()).where(OwletteSession.token_hash == row.token_hash).execute()


def revoke_user_sessions(user_id: str) -> int:
    """Revoke every live session of a user (password change, MFA reset)."""
    with writing():
        return (OwletteSession.update(revoked_at=utcnow())
                .where((OwletteSession.user == user_id) & OwletteSession.revoked_at.is_null()).execute())


def status(cookie: str | None) -> dict:
    """``GET /api/auth/session``: ``{authenticated, userId, expiresAt, expiresIn?, mfaPending?}``."""
    row = session_row(cookie)
    if row is None:
        return {"authenticated": False, "userId": None, "expiresAt": None}
    if row.mfa_pending:
        return {"authenticated": False, "userId": None, "expiresAt": None, "mfaPending": True}
    left = int((row.expires_at - utcnow()).total_seconds())
    return {"authenticated": True, "userId": row.user_id, "expiresAt": _millis(row.expires_at), "expiresIn": left}


def purge_expired() -> None:
    """Drop sessions that expired or were revoked more than a day ago (a maintenance sweep)."""
    cutoff = utcnow() - timedelta(days=1)
    with writing():
        OwletteSession.delete().where((OwletteSession.expires_at < cutoff)
                                      | (OwletteSession.revoked_at < cutoff)).execute()


def _millis(dt: datetime) -> int:
    return int((dt - datetime(1970, 1, 1)).total_seconds() * 1000)
