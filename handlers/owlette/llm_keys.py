"""Cortex LLM keys: /api/settings/llm-key (one's own) and /api/settings/site-llm-key (a site's)."""
from agentdeck.owlette import access, llm_keys
from agentdeck.owlette.principals import Principal


def _user(token_info) -> str:
    return Principal.from_token_info(token_info).user_id


def set_user_key(body, token_info):
    """POST /api/settings/llm-key"""
    answer = llm_keys.set_key("user", _user(token_info), body["provider"], body["apiKey"], body.get("model"))
    return {"success": True, **answer}, 200


def get_user_key(token_info):
    """GET /api/settings/llm-key"""
    return llm_keys.status("user", _user(token_info)), 200


def delete_user_key(token_info):
    """DELETE /api/settings/llm-key"""
    return {"success": True, "deleted": llm_keys.delete_key("user", _user(token_info))}, 200


def _site_admin(token_info, site_id):
    access.require_site_admin(Principal.from_token_info(token_info), site_id)


def set_site_key(body, token_info):
    """POST /api/settings/site-llm-key"""
    _site_admin(token_info, body["siteId"])
    answer = llm_keys.set_key("site", body["siteId"], body["provider"], body["apiKey"], body.get("model"))
    return {"success": True, "siteId": body["siteId"], **answer}, 200


def get_site_key(siteId, token_info):
    """GET /api/settings/site-llm-key"""
    _site_admin(token_info, siteId)
    return {"siteId": siteId, **llm_keys.status("site", siteId)}, 200


def delete_site_key(body, token_info):
    """DELETE /api/settings/site-llm-key"""
    _site_admin(token_info, body["siteId"])
    return {"success": True, "siteId": body["siteId"], "deleted": llm_keys.delete_key("site", body["siteId"])}, 200
