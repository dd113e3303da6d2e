"""A site's agent refresh tokens, listed and revoked by its site admins."""
from __future__ import annotations

from agentdeck.errors import InvalidInput, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteAgentToken
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.owlette.access import require_site_admin
from agentdeck.owlette.principals import Principal


def list_tokens(principal: Principal, site_id: str) -> dict:
    """The site's live agent tokens: ``{tokens:[{id, machineId, version, createdAt, lastUsed,
    expiresAt}], count}``."""
    site = require_site_admin(principal, site_id)
    query = (OwletteAgentToken.select()
             .where((OwletteAgentToken.site == site.id) & OwletteAgentToken.revoked_at.is_null())
             .order_by(OwletteAgentToken.created_at.desc()))
    tokens = [{"id": t.id, "machineId": t.machine_id, "version": t.version, "createdAt": to_iso(t.created_at),
               "lastUsed": to_iso(t.last_used), "expiresAt": to_iso(t.expires_at)} for t in query]
    return {"success": True, "tokens": tokens, "count": len(tokens)}


def revoke_tokens(principal: Principal, site_id: str, token_id: str | None = None,
                  machine_id: str | None = None, everything: bool = False) -> dict:
    """Revoke one token, every token of a machine, or (``everything``) all of the site's."""
    site = require_site_admin(principal, site_id)
    chosen = [token_id is not None, machine_id is not None, everything]
    if sum(chosen) != 1:
        raise InvalidInput("Provide exactly one of tokenId, machineId or all: true")
    scope = (OwletteAgentToken.site == site.id) & OwletteAgentToken.revoked_at.is_null()
    if token_id is not None:
        scope &= OwletteAgentToken.id == token_id
    elif machine_id is not None:
        scope &= OwletteAgentToken.machine_id == machine_id
    with writing():
        count = OwletteAgentToken.update(revoked_at=utcnow()).where(scope).execute()
    if token_id is not None and not count:
        raise NotFound("Token not found")
    what = ("token" if token_id else f"tokens of machine {machine_id}" if machine_id else "tokens of the site")
    return {"success": True, "revokedCount": count, "message": f"Revoked {count} {what}"}
