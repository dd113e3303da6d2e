"""A site's agent tokens: GET /api/admin/tokens/list, POST /api/admin/tokens/revoke."""
from agentdeck.owlette import agent_tokens
from agentdeck.owlette.principals import Principal


def list_tokens(siteId, token_info):
    """GET /api/admin/tokens/list"""
    return agent_tokens.list_tokens(Principal.from_token_info(token_info), siteId), 200


def revoke_tokens(body, token_info):
    """POST /api/admin/tokens/revoke"""
    return agent_tokens.revoke_tokens(Principal.from_token_info(token_info), body["siteId"], body.get("tokenId"),
                                      body.get("machineId"), body.get("all") is True), 200
