"""Email utilities: POST /api/test-email, GET /api/unsubscribe, POST /api/webhooks/user-created."""
from agentdeck.owlette import access, alerting
from agentdeck.owlette.principals import Principal
from agentdeck.storage.models.owlette import OwletteUser


def test_email(token_info, body=None):
    """POST /api/test-email"""
    principal = Principal.from_token_info(token_info)
    site_id = (body or {}).get("siteId")
    if site_id:
        access.require_site_admin(principal, site_id)
    else:
        access.require_admin(principal)
    return alerting.test_email(site_id, OwletteUser.get_by_id(principal.user_id)), 200


def unsubscribe(token):
    """GET /api/unsubscribe"""
    alerting.unsubscribe(token)
    return None, 302, {"Location": f"{alerting.public_base()}/?unsubscribed=true"}


def user_created(token_info, body=None):
    """POST /api/webhooks/user-created"""
    principal = Principal.from_token_info(token_info)
    return alerting.user_created(OwletteUser.get_by_id(principal.user_id), (body or {}).get("sendWelcome", False)), 200
