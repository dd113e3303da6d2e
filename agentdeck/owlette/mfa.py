"""TOTP multi-factor sign-in (pyotp): setup with a QR code, the first code confirming it, and the
code (or a single-use backup code) completing a pending session.

Codes are accepted one 30-second step either side of now; the step last accepted is stored, so a
code (or an earlier one) cannot be used again. The secret is sealed with the secret box; backup
codes are stored as SHA-256. Failed codes are throttled per account like failed passwords.
"""
from __future__ import annotations

import hmac
import secrets
import time
from datetime import timedelta

import pyotp
import segno

from agentdeck import ratelimit, secretbox, throttle
from agentdeck.errors import Conflict, Unauthorized
from agentdeck.security.tokens import hash_token
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteBackupCode, OwletteMfaPending, OwletteSession, OwletteUser
from agentdeck.timeutil import utcnow

from agentdeck.owlette import sessions
from agentdeck.owlette.accounts import own_account
from agentdeck.owlette.principals import Principal

ISSUER = "owlette"
PENDING_FOR = timedelta(minutes=10)
STEP = 30
MFA_LIMIT = ratelimit.Limit("owlette-mfa", 10, 60)


def _normalise(code: str) -> str:
    return code.replace(" ", "").replace("-", "").strip().upper()


def start_setup(user: OwletteUser, client_address: str | None) -> dict:
    """A new secret for ``user``, pending for 10 minutes: ``{secret, qrCodeUrl}`` (a PNG data URL
    of the otpauth URI)."""
    ratelimit.hit(MFA_LIMIT, client_address)
    if user.mfa_enabled:
        raise Conflict("MFA is already enabled")
    secret = pyotp.random_base32()
    with writing():
        (OwletteMfaPending.insert(user=user.id, secret=secretbox.seal(secret), expires_at=utcnow() + PENDING_FOR)
         .on_conflict(conflict_target=[OwletteMfaPending.user],
                      update={OwletteMfaPending.secret: secretbox.seal(secret),
                              OwletteMfaPending.expires_at: utcnow() + PENDING_FOR})
         .execute())
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return {"secret": secret, "qrCodeUrl": segno.make(uri, error="m").png_data_uri(scale=5), "otpauthUrl": uri}


def _matching_step(secret: str, code: str) -> int | None:
    if not code.isascii():  # never a TOTP code; compare_digest would raise TypeError on it
        return None
    totp, now = pyotp.TOTP(secret), time.time()
    for drift in (0, -1, 1):
        moment = now + drift * STEP
        if hmac.compare_digest(totp.at(moment), code):
            return int(moment // STEP)
    return None


def confirm_setup(user: OwletteUser, code: str, backup_codes: list[str] | None) -> dict:
    """Turn MFA on when ``code`` matches the pending secret; stores the backup codes hashed
    (ten are made when none are given, and returned once)."""
    pending = OwletteMfaPending.get_or_none(OwletteMfaPending.user == user.id)
    if pending is None or pending.expires_at <= utcnow():
        raise Conflict("No MFA setup in progress, or it expired: start again")
    secret = secretbox.unseal(pending.secret)
    step = _matching_step(secret, _normalise(code))
    if step is None:
        raise Unauthorized("Invalid verification code")
    made = backup_codes is None
    codes = [secrets.token_hex(4).upper() for _ in range(10)] if made else backup_codes
    with writing():
        OwletteUser.update(mfa_secret=secretbox.seal(secret), mfa_last_step=step).where(OwletteUser.id == user.id).execute()
        OwletteBackupCode.delete().where(OwletteBackupCode.user == user.id).execute()
        for item in {_normalise(c) for c in codes if _normalise(c)}:
            OwletteBackupCode.create(user=user.id, code_hash=hash_token(item))
        OwletteMfaPending.delete().where(OwletteMfaPending.user == user.id).execute()
    return {"success": True, **({"backupCodes": codes} if made else {})}


def verify_login(user: OwletteUser, session: OwletteSession, code: str, is_backup: bool,
                 client_address: str | None) -> dict:
    """Complete a pending session with a TOTP code or a backup code: ``{success, backupCodeUsed}``."""
    ratelimit.hit(MFA_LIMIT, client_address)
    if not user.mfa_enabled:
        raise Conflict("MFA is not enabled for this account")
    settings = get_settings()
    bucket = {f"owlette-mfa:account:{user.id}": settings.login_max_failures}
    throttle.refuse_if_throttled(bucket, settings.login_window_seconds)
    accepted = _spend_backup_code(user, code) if is_backup else _spend_totp(user, code)
    if not accepted:
        throttle.record_failure(list(bucket), settings.login_window_seconds)
        raise Unauthorized("Invalid verification code")
    throttle.clear(next(iter(bucket)))
    sessions.complete_mfa(session)
    return {"success": True, "backupCodeUsed": is_backup}


def _spend_totp(user: OwletteUser, code: str) -> bool:
    step = _matching_step(secretbox.unseal(user.mfa_secret), _normalise(code))
    if step is None:
        return False
    with writing():
        return bool(OwletteUser.update(mfa_last_step=step)
                    .where((OwletteUser.id == user.id)
                           & (OwletteUser.mfa_last_step.is_null() | (OwletteUser.mfa_last_step < step)))
                    .execute())


def _spend_backup_code(user: OwletteUser, code: str) -> bool:
    with writing():
        return bool(OwletteBackupCode.update(used_at=utcnow())
                    .where((OwletteBackupCode.user == user.id)
                           & (OwletteBackupCode.code_hash == hash_token(_normalise(code)))
                           & OwletteBackupCode.used_at.is_null())
                    .execute())


def _own_user(principal: Principal, user_id: str | None) -> OwletteUser:
    return own_account(principal, user_id)


def setup_for(principal: Principal, user_id: str | None, client_address: str | None) -> dict:
    """``POST /api/mfa/setup``: only for oneself."""
    return start_setup(_own_user(principal, user_id), client_address)


def confirm_for(principal: Principal, user_id: str | None, code: str, backup_codes: list[str] | None) -> dict:
    """``POST /api/mfa/verify-setup``: only for oneself."""
    return confirm_setup(_own_user(principal, user_id), code, backup_codes)


def login_for(principal: Principal, session_hash: str, user_id: str | None, code: str, is_backup: bool,
              client_address: str | None) -> dict:
    """``POST /api/mfa/verify-login``: completes the caller's own (pending) session."""
    return verify_login(_own_user(principal, user_id), OwletteSession.get_by_id(session_hash), code, is_backup,
                        client_address)
