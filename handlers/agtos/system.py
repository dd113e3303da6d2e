"""agtOS system info handler."""
from connexion import request

from agentdeck.agtos.platform.system import system_info


def get_system_info():
    """GET /api/system/info"""
    server = request.scope.get("server")
    return system_info(server[1] if server else None), 200
