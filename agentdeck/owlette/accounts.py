"""Users: created by the operator, signed in with argon2-hashed passwords."""
from __future__ import annotations

import secrets

from agentdeck.errors import Conflict, InvalidInput, NotFound
from agentdeck.security.tokens import hash_password
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteBackupCode, OwletteMfaPending, OwletteUser

# Verified against when the email is unknown, so that a miss costs what a wrong password costs.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    """The form emails are stored and looked up in."""
    return email.strip().lower()


def create_user(email: str, password: str, is_admin: bool = False) -> OwletteUser:
    """A new user; ``Conflict`` when the email is taken, ``InvalidInput`` for a short password."""
    email = normalise_email(email)
    if "@" not in email:
        raise InvalidInput("Invalid email address")
    if len(password) < 8:
        raise InvalidInput("Password must be at least 8 characters")
    with writing():
        if OwletteUser.select().where(OwletteUser.email == email).exists():
            raise Conflict(f"A user with email {email} already exists")
        return OwletteUser.create(id="u_" + secrets.token_hex(10), email=email,
                                  password_hash=hash_password(password), is_admin=is_admin)


def get_user_by_email(email: str) -> OwletteUser:
    """The user with ``email``, or ``NotFound``."""
    user = OwletteUser.get_or_none(OwletteUser.email == normalise_email(email))
    if user is None:
        raise NotFound(f"No user with email {normalise_email(email)}")
    return user


def password_hash_for(email: str) -> tuple[OwletteUser | None, str]:
    """The user with ``email`` (or None) and the hash to check a password against: for an
    unknown email a dummy one, so that a miss costs what a wrong password costs."""
    user = OwletteUser.get_or_none(OwletteUser.email == normalise_email(email))
    return user, user.password_hash if user is not None else _DUMMY_HASH


def set_password(email: str, password: str) -> OwletteUser:
    """Replace a user's password."""
    if len(password) < 8:
        raise InvalidInput("Password must be at least 8 characters")
    user = get_user_by_email(email)
    with writing():
        OwletteUser.update(password_hash=hash_password(password)).where(OwletteUser.id == user.id).execute()
    return user


def set_admin(email: str, is_admin: bool) -> OwletteUser:
    """Grant or take away the global admin flag."""
    user = get_user_by_email(email)
    with writing():
        OwletteUser.update(is_admin=is_admin).where(OwletteUser.id == user.id).execute()
    return OwletteUser.get_by_id(user.id)


def reset_mfa(email: str) -> OwletteUser:
    """Turn MFA off for a user who lost their authenticator (operator recovery)."""
    user = get_user_by_email(email)
    with writing():
        OwletteUser.update(mfa_secret=None, mfa_last_step=None).where(OwletteUser.id == user.id).execute()
        OwletteBackupCode.delete().where(OwletteBackupCode.user == user.id).execute()
        OwletteMfaPending.delete().where(OwletteMfaPending.user == user.id).execute()
    return user


def list_users() -> list[OwletteUser]:
    """Every user, by email."""
    return list(OwletteUser.select().order_by(OwletteUser.email))


def own_account(principal, user_id: str | None) -> OwletteUser:
    """The principal's own user row; ``Forbidden`` when ``user_id`` names someone else."""
    from agentdeck.owlette.access import require_self

    return OwletteUser.get_by_id(require_self(principal, user_id))
