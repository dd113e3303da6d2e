"""Agent setup from the browser: POST /api/setup/generate-token."""
from agentdeck.owlette import agents
from agentdeck.owlette.principals import Principal


def generate_token(body, token_info):
    """POST /api/setup/generate-token"""
    return agents.generate_setup_token(Principal.from_token_info(token_info), body["siteId"]), 200
