"""Users of the glasses-client endpoints, known by the core tokens an operator issues them."""
from __future__ import annotations

from agentdeck.errors import Unauthorized
from agentdeck.security.tokens import hash_token, new_token
from agentdeck.storage.models.augmentos import CoreToken
from agentdeck.timeutil import utcnow


def issue_core_token(user_id: str) -> str:
    """A new core token for ``user_id`` (an email, upstream); shown once, stored hashed."""
    token = new_token("aos_", 24)
    CoreToken.create(user_id=user_id, token_hash=hash_token(token))
    return token


def user_for_token(token: str | None) -> str | None:
    """The user a valid, unrevoked core token belongs to; None otherwise."""
    if not token:
        return None
    row = CoreToken.get_or_none((CoreToken.token_hash == hash_token(token)) & CoreToken.revoked_at.is_null())
    return row.user_id if row else None


def require_user(token: str | None) -> str:
    """Like ``user_for_token`` but raises ``Unauthorized`` for a missing or bad token."""
    user = user_for_token(token)
    if user is None:
        raise Unauthorized("Unauthorized")
    return user


def revoke_user_tokens(user_id: str) -> int:
    """Revoke every token of ``user_id``; returns how many were active."""
    return (CoreToken.update(revoked_at=utcnow())
            .where((CoreToken.user_id == user_id) & CoreToken.revoked_at.is_null()).execute())
