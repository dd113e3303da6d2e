"""API keys, DSN keys and passwords.

Keys are high-entropy random tokens shown once and stored as their SHA-256 hex digest; passwords
are hashed with argon2id.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    """A fresh random token, e.g. ``new_token("app_")`` → ``app_3q…`` (URL-safe)."""
    return prefix + secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """True when ``token`` hashes to ``stored_hash`` (constant-time comparison)."""
    return hmac.compare_digest(hash_token(token), stored_hash)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises for a wrong password."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
