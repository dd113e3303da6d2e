"""Agent enrolment: generate-installer, auth/exchange, auth/refresh."""
from connexion import request

from agentdeck.owlette import agents
from agentdeck.owlette.principals import Principal


def _client() -> str | None:
    return request.client.host if request.client else None


def generate_installer(body, token_info):
    """POST /api/agent/generate-installer"""
    return agents.generate_registration_code(Principal.from_token_info(token_info), body["siteId"]), 200


def exchange_code(body):
    """POST /api/agent/auth/exchange"""
    return agents.exchange_code(body["registrationCode"], body["machineId"], body.get("version"), _client()), 200


def refresh_token(body):
    """POST /api/agent/auth/refresh"""
    return agents.refresh_access_token(body["refreshToken"], body["machineId"], _client()), 200
