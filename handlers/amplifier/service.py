"""Root, health, version and ReDoc handlers."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.amplifier import service
from agentdeck.settings import get_settings

_REDOC = """<!DOCTYPE html>
<html><head><title>Amplifier App API - ReDoc</title><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="{mount}/openapi.json"></redoc>
<script src="https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js"></script>
</body></html>
"""


def get_root():
    """GET /"""
    return service.root_info(get_settings().mount_for("amplifier")), 200


def get_health():
    """GET /health"""
    return service.health_status(), 200


def get_version():
    """GET /version"""
    return service.version_info(), 200


def get_redoc():
    """GET /redoc"""
    body = _REDOC.format(mount=get_settings().mount_for("amplifier"))
    return ConnexionResponse(status_code=200, body=body, content_type="text/html")
