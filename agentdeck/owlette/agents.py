"""Agent enrolment: registration codes (single use, 24 hours), their exchange for an access and a
refresh token, and refreshing the access token."""
from __future__ import annotations

import secrets
from datetime import timedelta

from agentdeck import ratelimit
from agentdeck.errors import Forbidden, Unauthorized
from agentdeck.security.tokens import hash_token, new_token
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteAgentToken, OwletteRegistrationCode
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.owlette import access_tokens
from agentdeck.owlette.access import require_site_admin
from agentdeck.owlette.principals import Principal

CODE_LIFETIME = timedelta(hours=24)
EXCHANGE_LIMIT = ratelimit.Limit("owlette-agent-exchange", 60, 3600)
REFRESH_LIMIT = ratelimit.Limit("owlette-agent-refresh", 120, 3600)


def generate_registration_code(principal: Principal, site_id: str) -> dict:
    """A registration code for ``site_id`` (site admins): ``{registrationCode, expiresAt, siteId}``."""
    site = require_site_admin(principal, site_id)
    code = new_token("reg_", 24)
    expires = utcnow() + CODE_LIFETIME
    with writing():
        OwletteRegistrationCode.create(code_hash=hash_token(code), site=site.id, created_by=principal.user_id,
                                       expires_at=expires)
    return {"success": True, "registrationCode": code, "expiresAt": to_iso(expires), "siteId": site.id}


def exchange_code(code: str, machine_id: str, version: str | None, client_address: str | None) -> dict:
    """Spend a registration code on tokens for ``machine_id`` (60 an hour per address)."""
    ratelimit.hit(EXCHANGE_LIMIT, client_address)
    now = utcnow()
    with writing():
        row = OwletteRegistrationCode.get_or_none(OwletteRegistrationCode.code_hash == hash_token(code))
        if row is None:
            raise Unauthorized("Invalid registration code")
        if row.expires_at <= now:
            raise Unauthorized("Registration code has expired")
        spent = (OwletteRegistrationCode.update(used_at=now, used_by_machine=machine_id)
                 .where((OwletteRegistrationCode.code_hash == row.code_hash)
                        & OwletteRegistrationCode.used_at.is_null())
                 .execute())
        if not spent:
            raise Unauthorized("Registration code has already been used")
        refresh = new_token("rt_", 32)
        token = OwletteAgentToken.create(id="tok_" + secrets.token_hex(8), site=row.site_id, machine_id=machine_id,
                                         version=version, token_hash=hash_token(refresh))
    access = access_tokens.issue(token)
    # The reference's agents read customToken / idToken; newer ones read accessToken.
    return {"success": True, "accessToken": access, "customToken": access, "idToken": access,
            "refreshToken": refresh, "siteId": token.site_id, "expiresIn": access_tokens.LIFETIME}


def refresh_access_token(refresh: str, machine_id: str, client_address: str | None) -> dict:
    """A new access token for a live refresh token of the same machine (120 an hour per address)."""
    ratelimit.hit(REFRESH_LIMIT, client_address)
    token = OwletteAgentToken.get_or_none((OwletteAgentToken.token_hash == hash_token(refresh))
                                          & OwletteAgentToken.revoked_at.is_null())
    if token is None or (token.expires_at is not None and token.expires_at <= utcnow()):
        raise Unauthorized("Invalid or revoked refresh token")
    if token.machine_id != machine_id:
        raise Forbidden("Machine ID mismatch")
    with writing():
        OwletteAgentToken.update(last_used=utcnow()).where(OwletteAgentToken.id == token.id).execute()
    access = access_tokens.issue(token)
    return {"success": True, "accessToken": access, "idToken": access, "expiresIn": access_tokens.LIFETIME}


def generate_setup_token(principal: Principal, site_id: str) -> dict:
    """``POST /api/setup/generate-token``: a registration code the agent's browser-based setup
    hands to the agent (site admins): ``{token, siteId, userId}``."""
    issued = generate_registration_code(principal, site_id)
    return {"token": issued["registrationCode"], "siteId": issued["siteId"], "userId": principal.user_id,
            "expiresAt": issued["expiresAt"]}


def purge_registration_codes() -> None:
    """Drop registration codes that expired more than a week ago (a maintenance sweep)."""
    with writing():
        OwletteRegistrationCode.delete().where(OwletteRegistrationCode.expires_at < utcnow() - timedelta(days=7)).execute()
