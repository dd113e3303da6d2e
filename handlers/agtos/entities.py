"""agtOS entity handlers: list and search, stats, get, update, delete, merge, per-entity lists."""
from agentdeck.agtos.entities import merging, store


def list_entities(q=None, type=None, limit=20):
    """GET /api/entities"""
    return store.list_entities(q, type, limit), 200


def get_entity_stats():
    """GET /api/entities/stats"""
    return store.entity_stats(), 200


def get_entity(id):
    """GET /api/entities/{id}"""
    return store.get_entity(id), 200


def update_entity(id, body):
    """PUT /api/entities/{id}"""
    return store.update_entity(id, body), 200


def delete_entity(id):
    """DELETE /api/entities/{id}"""
    return store.delete_entity(id), 200


def merge_entity(id, body):
    """POST /api/entities/{id}/merge"""
    return merging.merge_entities(id, body["targetId"]), 200


def list_entity_episodes(id, limit=20):
    """GET /api/entities/{id}/episodes"""
    return store.entity_episodes(id, limit), 200


def list_entity_conclusions(id):
    """GET /api/entities/{id}/conclusions"""
    return store.entity_conclusions(id), 200


def list_entity_relationships(id):
    """GET /api/entities/{id}/relationships"""
    return store.entity_relationships(id), 200
