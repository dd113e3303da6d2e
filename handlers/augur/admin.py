"""Admin-only operations: tenants, impersonation, the audit log."""
from agentdeck.augur import cookies, sessions, tenants
from agentdeck.augur.principals import Viewer


def list_tenants(token_info):
    """GET /api/v1/admin/tenants"""
    sessions.require_admin(Viewer.from_token_info(token_info))
    return {"tenants": tenants.list_tenants()}, 200


def impersonate_tenant(body, token_info):
    """POST /api/v1/admin/impersonate"""
    viewer = Viewer.from_token_info(token_info)
    body, cookie = sessions.impersonation(viewer, body.get("tenant"))
    return body, 200, {"Set-Cookie": cookies.override_cookie(cookie)}


def list_audit_events(token_info, limit=100):
    """GET /api/v1/admin/audit"""
    return {"events": sessions.audit_log(Viewer.from_token_info(token_info), limit)}, 200
