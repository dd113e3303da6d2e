"""App store handlers."""
from agentdeck.augmentos import apps


def list_public_apps():
    """GET /api/apps/public"""
    return {"success": True, "data": [apps.app_document(a) for a in apps.list_public_apps()]}, 200


def list_available_apps():
    """GET /api/apps/available"""
    data = [apps.app_document(a, with_profile=True) for a in apps.list_public_apps()]
    return {"success": True, "data": data}, 200


def search_apps(q=None):
    """GET /api/apps/search"""
    return {"success": True, "data": [apps.app_document(a) for a in apps.search_apps(q)]}, 200


def get_app(packageName):
    """GET /api/apps/{packageName}"""
    app = apps.get_public_app(packageName)
    return {"success": True, "data": apps.app_document(app, with_profile=True)}, 200
