"""agtOS settings handlers."""
from connexion import request

from agentdeck.agtos.settings import store
from agentdeck.agtos.settings.access import require_operator


def get_settings():
    """GET /api/settings"""
    return store.settings_document(), 200


def get_settings_schema():
    """GET /api/settings/schema"""
    return store.schema_document(), 200


def put_settings(body):
    """PUT /api/settings"""
    require_operator(request.client.host if request.client else None)
    return {"changed": store.update(body), "persisted": True}, 200
