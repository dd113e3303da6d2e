"""Commands: send (queued for the machine online or not; optionally wait for the result), clear,
list and read."""
from agentdeck.owlette.fleet import commands

from agentdeck.owlette.fleet.callers import site_admin, site_admin_async


async def send_command(body, token_info):
    """POST /api/admin/commands/send"""
    principal = await site_admin_async(token_info, body["siteId"])
    return await commands.send_async(body["siteId"], body["machineId"], body["command"], body.get("data"),
                                     user=principal.user_id, wait=body.get("wait") is True,
                                     timeout=body.get("timeout")), 200


def clear_commands(siteId, machineId, token_info):
    """DELETE /api/admin/commands/clear"""
    site_admin(token_info, siteId)
    return {"success": True, "cleared": commands.clear(siteId, machineId)}, 200


def list_commands(siteId, token_info, machineId=None, status=None, limit=50):
    """GET /api/admin/commands"""
    site_admin(token_info, siteId)
    return {"success": True, "commands": commands.list_commands(siteId, machineId, status, limit)}, 200


def get_command(commandId, siteId, token_info):
    """GET /api/admin/commands/{commandId}"""
    site_admin(token_info, siteId)
    return {"success": True, "command": commands.document(commands.get(siteId, commandId))}, 200
