"""A machine's processes: list, add, update, delete, launch mode."""
from agentdeck.owlette.fleet import processes

from agentdeck.owlette.fleet.callers import site_admin


def list_processes(siteId, machineId, token_info):
    """GET /api/admin/processes"""
    site_admin(token_info, siteId)
    return {"success": True, "processes": processes.list_processes(siteId, machineId)}, 200


def add_process(body, token_info):
    """POST /api/admin/processes"""
    site_admin(token_info, body["siteId"])
    return {"success": True, "processId": processes.add(body["siteId"], body["machineId"], body)}, 200


def update_process(processId, body, token_info):
    """PATCH /api/admin/processes/{processId}"""
    site_admin(token_info, body["siteId"])
    processes.update(body["siteId"], body["machineId"], processId, body)
    return {"success": True, "processId": processId}, 200


def delete_process(processId, siteId, machineId, token_info):
    """DELETE /api/admin/processes/{processId}"""
    site_admin(token_info, siteId)
    processes.delete(siteId, machineId, processId)
    return {"success": True, "processId": processId}, 200


def set_launch_mode(processId, body, token_info):
    """PATCH /api/admin/processes/{processId}/launch-mode"""
    site_admin(token_info, body["siteId"])
    result = processes.set_launch_mode(body["siteId"], body["machineId"], processId, body["mode"], body.get("schedules"))
    return {"success": True, "processId": processId, **result}, 200
