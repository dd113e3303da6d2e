"""The active tenant's DSNs."""
from agentdeck.augur import dsns
from agentdeck.augur.principals import Viewer
from agentdeck.augur.tenants import get_tenant


def list_dsns(token_info):
    """GET /api/v1/tenant/dsns"""
    return {"dsns": dsns.list_dsns(Viewer.from_token_info(token_info).tenant_id)}, 200


def create_dsn(token_info, body=None):
    """POST /api/v1/tenant/dsns"""
    tenant = get_tenant(Viewer.from_token_info(token_info).tenant_id)
    return dsns.issue_dsn(tenant, (body or {}).get("label") or "default"), 201


def revoke_dsn(dsn_id, token_info):
    """DELETE /api/v1/tenant/dsns/{dsn_id}"""
    return dsns.revoke_dsn(dsn_id, Viewer.from_token_info(token_info).tenant_id), 200
