"""agtOS Prometheus handler."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.agtos.platform.metrics import exposition


def get_metrics():
    """GET /metrics"""
    body, content_type = exposition()
    return ConnexionResponse(status_code=200, body=body, content_type=content_type)
