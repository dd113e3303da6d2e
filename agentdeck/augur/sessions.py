"""Login sessions, the signed-in viewer, and admin impersonation (with its audit log)."""
from __future__ import annotations

from datetime import timedelta

from agentdeck import throttle
from agentdeck.errors import Forbidden, Unauthorized
from agentdeck.security.tokens import hash_token, new_token
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.augur import (AugurAuditEvent, AugurLoginSession, AugurTenant,
                                            AugurUser)
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.augur.documents import encode_text
from agentdeck.augur.principals import Viewer
from agentdeck.augur.tenants import authenticate_user, get_tenant, tenant_document, user_document

SESSION_COOKIE = "augur_session"
OVERRIDE_COOKIE = "augur_tenant_override"


def log_in(email: str, password: str, client_address: str | None = None) -> tuple[str, AugurUser]:
    """Check the credentials and open a session; returns the cookie token (shown once) and user.

    Failed attempts are throttled per account and per client address (``agentdeck.throttle``):
    past ``AGENTDECK_LOGIN_MAX_FAILURES`` in ``AGENTDECK_LOGIN_WINDOW_SECONDS`` (five times that
    per address), sign-in answers 429 until the window ends, even with the right password.
    """
    encode_text(email + password)
    settings = get_settings()
    account = f"augur-login:account:{email.strip().lower()}"
    limits = {account: settings.login_max_failures}
    if client_address:
        limits[f"augur-login:address:{client_address}"] = 5 * settings.login_max_failures
    throttle.refuse_if_throttled(limits, settings.login_window_seconds)
    try:
        user = authenticate_user(email, password)
    except Unauthorized:
        throttle.record_failure(list(limits), settings.login_window_seconds)
        raise
    throttle.clear(account)
    token = new_token()
    expires = utcnow() + timedelta(seconds=settings.augur_session_ttl)
    AugurLoginSession.create(token_hash=hash_token(token), user=user, expires_at=expires)
    return token, user


def log_out(token: str | None) -> None:
    """Revoke the session behind ``token``, if there is one; later use of it is refused."""
    if token:
        (AugurLoginSession.update(revoked_at=utcnow())
         .where((AugurLoginSession.token_hash == hash_token(token))
                & AugurLoginSession.revoked_at.is_null())
         .execute())


def viewer_for(token: str, override_tenant_id: str | None = None) -> Viewer:
    """The viewer a session cookie stands for; an admin's tenant override is honoured.

    Raises ``Unauthorized`` when the session is unknown, revoked or expired.
    """
    row = (AugurLoginSession.select(AugurLoginSession, AugurUser).join(AugurUser)
           .where((AugurLoginSession.token_hash == hash_token(token))
                  & AugurLoginSession.revoked_at.is_null()
                  & (AugurLoginSession.expires_at > utcnow()))
           .first())
    if row is None:
        raise Unauthorized("Not authenticated: session missing, expired or logged out")
    user = row.user
    tenant_id = user.tenant_id
    if user.is_admin and override_tenant_id and override_tenant_id != tenant_id:
        if AugurTenant.select().where(AugurTenant.id == override_tenant_id).exists():
            tenant_id = override_tenant_id
    return Viewer(user.id, tenant_id, user.tenant_id, user.is_admin)


def whoami(viewer: Viewer) -> dict:
    """``{user, tenant, home_tenant, impersonating}`` for ``GET /auth/me``."""
    user = AugurUser.get_by_id(viewer.user_id)
    home = AugurTenant.get_by_id(viewer.home_tenant_id)
    active = home if not viewer.impersonating else AugurTenant.get_by_id(viewer.tenant_id)
    return {"user": user_document(user), "tenant": tenant_document(active),
            "home_tenant": tenant_document(home), "impersonating": viewer.impersonating}


def require_admin(viewer: Viewer) -> None:
    """``Forbidden`` unless the viewer is an admin."""
    if not viewer.is_admin:
        raise Forbidden("Admin privileges required")


def impersonation(viewer: Viewer, tenant_ref: str | None) -> tuple[dict, str | None]:
    """Start (``tenant_ref`` set) or stop (None) reading another tenant; audited.

    Returns the new scope ``{impersonating, tenant, home_tenant}`` and the tenant id for the
    override cookie (None: clear it). Naming the admin's own tenant stops impersonating.
    """
    require_admin(viewer)
    home = AugurTenant.get_by_id(viewer.home_tenant_id)
    tenant = get_tenant(tenant_ref) if tenant_ref else home
    impersonating = tenant.id != home.id
    with writing():
        AugurAuditEvent.create(actor=viewer.user_id,
                               action="impersonate.start" if impersonating else "impersonate.stop",
                               tenant=tenant.id if impersonating else viewer.tenant_id,
                               detail={"home_tenant_id": home.id, "previous_tenant_id": viewer.tenant_id})
    document = {"impersonating": impersonating, "tenant": tenant_document(tenant),
                "home_tenant": tenant_document(home)}
    return document, tenant.id if impersonating else None


def audit_log(viewer: Viewer, limit: int = 100) -> list[dict]:
    """The newest audit events, for admins."""
    require_admin(viewer)
    query = (AugurAuditEvent.select(AugurAuditEvent, AugurUser).join(AugurUser)
             .order_by(AugurAuditEvent.id.desc()).limit(limit))
    return [{"id": e.id, "action": e.action, "actor": e.actor.email, "tenant_id": e.tenant_id,
             "detail": e.detail, "created_at": to_iso(e.created_at)} for e in query]
