"""agtOS onboarding setup-token handler."""
from connexion import request

from agentdeck.agtos.platform.setup_token import setup_token_for


def get_setup_token():
    """GET /api/setup-token"""
    return {"token": setup_token_for(request.client.host if request.client else None)}, 200
