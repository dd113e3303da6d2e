"""agtOS legacy config handlers."""
from connexion import request

from agentdeck.agtos.settings import store
from agentdeck.agtos.settings.access import require_operator


def get_writable_config():
    """GET /api/config/writable"""
    return store.writable_document(), 200


def put_config(body):
    """PUT /api/config"""
    require_operator(request.client.host if request.client else None)
    return store.update_legacy(body["key"], body["value"]), 200
