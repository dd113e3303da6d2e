"""A site's webhooks: list, create, delete, and POST /api/webhooks/test."""
from agentdeck.owlette import access, webhooks
from agentdeck.owlette.principals import Principal


def _site_admin(token_info, site_id):
    principal = Principal.from_token_info(token_info)
    access.require_site_admin(principal, site_id)
    return principal


def list_webhooks(siteId, token_info):
    """GET /api/admin/webhooks"""
    _site_admin(token_info, siteId)
    return {"success": True, "webhooks": webhooks.list_webhooks(siteId)}, 200


def create_webhook(body, token_info):
    """POST /api/admin/webhooks"""
    principal = _site_admin(token_info, body["siteId"])
    return webhooks.create(body["siteId"], body["name"], body["url"], body["events"], user_id=principal.user_id), 200


def delete_webhook(siteId, webhookId, token_info):
    """DELETE /api/admin/webhooks"""
    principal = _site_admin(token_info, siteId)
    webhooks.delete(siteId, webhookId, user_id=principal.user_id)
    return {"success": True}, 200


def test_webhook(body, token_info):
    """POST /api/webhooks/test"""
    _site_admin(token_info, body["siteId"])
    return webhooks.test(body["siteId"], body["webhookId"]), 200
