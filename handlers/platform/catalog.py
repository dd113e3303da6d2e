"""What this server offers: surfaces and plugins."""
from dataclasses import asdict

from agentdeck.app import mounted_surfaces
from agentdeck.plugins.manager import get_plugin_manager
from agentdeck.settings import get_settings


def list_surfaces():
    """GET /surfaces"""
    surfaces = [{"name": m.surface.name, "mount": m.mount or "/",
                 "spec": f"{m.mount}{m.surface.spec_path}", "docs": f"{m.mount}{m.surface.docs_path}/"}
                for m in mounted_surfaces(get_settings())]
    return {"surfaces": surfaces}, 200


def list_plugins():
    """GET /plugins"""
    return {"plugins": [asdict(p) for p in get_plugin_manager().plugins()]}, 200
