"""Sites: GET /api/admin/sites."""
from agentdeck.owlette import sites
from agentdeck.owlette.principals import Principal


def list_sites(token_info):
    """GET /api/admin/sites"""
    return {"success": True, "sites": sites.visible_sites(Principal.from_token_info(token_info))}, 200
