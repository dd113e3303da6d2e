"""The caller's API keys: list, create, revoke."""
from agentdeck.owlette import apikeys
from agentdeck.owlette.principals import Principal


def list_keys(token_info):
    """GET /api/admin/keys"""
    return {"success": True, "keys": apikeys.list_keys(Principal.from_token_info(token_info).user_id)}, 200


def create_key(token_info, body=None):
    """POST /api/admin/keys/create"""
    return apikeys.create_key(Principal.from_token_info(token_info).user_id, (body or {}).get("name")), 200


def revoke_key(body, token_info):
    """DELETE /api/admin/keys/revoke"""
    apikeys.revoke_key(Principal.from_token_info(token_info).user_id, body["keyId"])
    return {"success": True, "message": "API key revoked"}, 200
