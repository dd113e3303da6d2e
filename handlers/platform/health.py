"""Platform health handlers."""
from agentdeck.app import mounted_surfaces
from agentdeck.health import health_report
from agentdeck.settings import get_settings


def get_health():
    """GET /healthz"""
    body, healthy = health_report(mounted_surfaces(get_settings()))
    return body, 200 if healthy else 503
