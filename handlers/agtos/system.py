"""agtOS system info handler."""
from connexion import request

from agentdeck.agtos.platform import host
from agentdeck.agtos.platform.system import system_info
from agentdeck.agtos.settings.access import require_operator


def get_system_info():
    """GET /api/system/info"""
    server = request.scope.get("server")
    return system_info(server[1] if server else None), 200


# Host capabilities, dependencies, Redis and onboarding (agentdeck.agtos.platform.host).

def _client_host():
    return request.client.host if request.client else None


async def get_capabilities():
    """GET /api/system/capabilities"""
    return await host.capabilities(), 200


async def get_dependencies():
    """GET /api/dependencies"""
    return await host.dependencies(), 200


def install_redis():
    """POST /api/dependencies/install-redis"""
    require_operator(_client_host())
    return host.install_redis(), 200


def get_redis_status():
    """GET /api/system/redis"""
    return host.redis_status(), 200


def reconnect_redis():
    """POST /api/system/redis/reconnect"""
    require_operator(_client_host())
    return host.redis_reconnect(), 200


def reset_onboarding():
    """POST /api/onboarding/reset"""
    require_operator(_client_host())
    return host.reset_onboarding(), 200
