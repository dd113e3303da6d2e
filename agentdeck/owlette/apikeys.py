"""API keys: ``owk_`` + base64url(32 random bytes), shown once, stored as SHA-256; a key acts as
the user who made it. ``lastUsedAt`` is kept to the minute, sparing a write on every request."""
from __future__ import annotations

import secrets
from datetime import timedelta

from agentdeck.errors import NotFound, Unauthorized
from agentdeck.security.tokens import hash_token, new_token
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteApiKey, OwletteUser
from agentdeck.timeutil import to_iso, utcnow

PREFIX = "owk_"
SHOWN_PREFIX = 11
_LAST_USED_GRANULARITY = timedelta(seconds=60)


def create_key(user_id: str, name: str | None) -> dict:
    """A new key for the user: ``{success, key, keyId, name}`` (the key is never shown again)."""
    key = new_token(PREFIX, 32)
    name = (name or "").strip() or "API key"
    with writing():
        row = OwletteApiKey.create(id="key_" + secrets.token_hex(8), user=user_id, name=name,
                                   key_hash=hash_token(key), key_prefix=key[:SHOWN_PREFIX])
    return {"success": True, "key": key, "keyId": row.id, "name": row.name}


def list_keys(user_id: str) -> list[dict]:
    """The user's keys that are not revoked, newest first (never the key itself)."""
    query = (OwletteApiKey.select()
             .where((OwletteApiKey.user == user_id) & OwletteApiKey.revoked_at.is_null())
             .order_by(OwletteApiKey.created_at.desc()))
    return [{"id": k.id, "name": k.name, "keyPrefix": k.key_prefix + "....",
             "createdAt": to_iso(k.created_at), "lastUsedAt": to_iso(k.last_used_at)} for k in query]


def revoke_key(user_id: str, key_id: str) -> None:
    """Revoke one of the user's keys; ``NotFound`` for anyone else's or an unknown id."""
    with writing():
        revoked = (OwletteApiKey.update(revoked_at=utcnow())
                   .where((OwletteApiKey.id == key_id) & (OwletteApiKey.user == user_id)
                          & OwletteApiKey.revoked_at.is_null())
                   .execute())
    if not revoked:
        raise NotFound("API key not found")


def user_for_key(key: str) -> OwletteUser:
    """The user a key acts as; ``Unauthorized`` for an unknown or revoked key."""
    if not key.startswith(PREFIX):
        raise Unauthorized("Invalid API key")
    row = (OwletteApiKey.select(OwletteApiKey, OwletteUser).join(OwletteUser)
           .where((OwletteApiKey.key_hash == hash_token(key)) & OwletteApiKey.revoked_at.is_null())
           .first())
    if row is None:
        raise Unauthorized("Invalid API key")
    now = utcnow()
    if row.last_used_at is None or row.last_used_at < now - _LAST_USED_GRANULARITY:
        with writing():
            OwletteApiKey.update(last_used_at=now).where(OwletteApiKey.id == row.id).execute()
    return row.user
