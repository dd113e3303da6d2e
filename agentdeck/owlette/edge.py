"""owlette's general rate limit: each client address may make ``AGENTDECK_OWLETTE_API_RATE_LIMIT``
requests an hour (300, as upstream) to the dashboard's ``/api`` routes.

Requests carrying a bearer token are the machines' agents (heartbeats every few seconds, command
polls): they are not counted here, and the agent routes that need one (code exchange, token
refresh, alerts) have their own limits. Sign-ins count here and against their own per-minute limit.
"""
from __future__ import annotations

from agentdeck.ratelimit import Limit

GENERAL_LIMIT_NAME = "owlette-api"


def general_limit(requests_per_hour: int) -> Limit:
    """The per-address limit on the dashboard's routes."""
    return Limit(GENERAL_LIMIT_NAME, requests_per_hour, 3600)


def is_agent_request(scope) -> bool:
    """Whether the request authenticates with a bearer token (an agent), not counted here."""
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
            return value[:7].lower() == b"bearer "
    return False
