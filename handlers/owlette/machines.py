"""Machines: list, status, agent self-update; software inventory."""
from agentdeck.errors import NotFound
from agentdeck.owlette.fleet import commands, installers, machines

from agentdeck.owlette.fleet.callers import base_url, site_admin


def list_machines(siteId, token_info):
    """GET /api/admin/machines"""
    site_admin(token_info, siteId)
    return {"success": True, "machines": machines.list_machines(siteId)}, 200


def machine_status(siteId, machineId, token_info):
    """GET /api/admin/machines/status"""
    site_admin(token_info, siteId)
    return {"success": True, "machine": machines.status(siteId, machineId)}, 200


def update_agents(body, token_info):
    """POST /api/admin/machines/update"""
    principal = site_admin(token_info, body["siteId"])
    latest = installers.latest(base_url())
    version = body.get("version") or (latest or {}).get("version")
    url = body.get("installer_url") or (latest or {}).get("downloadUrl")
    if not version or not url:
        raise NotFound("No installer uploaded yet")
    ids = body.get("machineIds") or ([body["machineId"]] if body.get("machineId") else
                                     [m["id"] for m in machines.list_machines(body["siteId"])])
    sent, failed = [], []
    for machine_id in ids:
        try:
            row = commands.queue(body["siteId"], machine_id, "update_owlette",
                                 {"version": version, "installer_url": url,
                                  "checksum_sha256": (latest or {}).get("checksum_sha256")},
                                 user=principal.user_id)
            sent.append({"machineId": machine_id, "commandId": row.id})
        except NotFound:
            failed.append(machine_id)
    return {"success": True, "version": version, "sent": len(sent), "failed": len(failed),
            "failedMachines": failed, "machines": sent}, 200


def software_inventory(siteId, machineId, token_info, search=None):
    """GET /api/admin/software-inventory"""
    site_admin(token_info, siteId)
    return {"success": True, "software": machines.software(siteId, machineId, search)}, 200
