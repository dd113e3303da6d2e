"""Liveness and the ReDoc page."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.errors import ServiceUnavailable
from agentdeck.storage.db import ping

_REDOC_PAGE = """<!DOCTYPE html>
<html>
  <head>
    <title>Augur HTTP API - ReDoc</title>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1">
  </head>
  <body>
    <redoc spec-url="openapi.json"></redoc>
    <script src="https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js"></script>
  </body>
</html>
"""


def get_health():
    """GET /api/v1/healthz"""
    if not ping():
        raise ServiceUnavailable("database unreachable")
    return {"status": "ok"}, 200


def get_redoc():
    """GET /api/v1/redoc"""
    return ConnexionResponse(status_code=200, body=_REDOC_PAGE, content_type="text/html; charset=utf-8")
