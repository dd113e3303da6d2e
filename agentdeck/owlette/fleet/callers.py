"""Who is calling a fleet operation: a site admin (checked by ``agentdeck.owlette.access``), or an
agent for its own site and machine; and the surface's base URL as the caller reached it."""
from connexion import request
from starlette.concurrency import run_in_threadpool

from agentdeck.errors import Forbidden
from agentdeck.owlette import access
from agentdeck.owlette.principals import Principal
from agentdeck.storage.db import gives_back_connection


def site_admin(token_info, site_id: str) -> Principal:
    """The principal, once ``access`` admits them to ``site_id``."""
    principal = Principal.from_token_info(token_info)
    access.require_site_admin(principal, site_id)
    return principal


async def site_admin_async(token_info, site_id: str) -> Principal:
    """``site_admin`` from the event loop."""
    return await run_in_threadpool(gives_back_connection(site_admin), token_info, site_id)


def agent_machine(token_info, site_id=None, machine_id=None) -> tuple[str, str]:
    """The agent's (site id, machine id); ``Forbidden`` when a body names another."""
    site, machine = token_info["site_id"], token_info["machine_id"]
    if (site_id is not None and site_id != site) or (machine_id is not None and machine_id != machine):
        raise Forbidden("Forbidden: an agent speaks only for its own site and machine")
    return site, machine


def base_url() -> str:
    """The surface's base URL as the caller reached it (scheme, host and mount)."""
    url = str(request.url)
    marker = url.find("/api/")
    return url[:marker] if marker >= 0 else url.rstrip("/")
