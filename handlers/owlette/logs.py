"""A site's activity log: GET /api/admin/logs."""
from agentdeck.owlette import access, activity
from agentdeck.owlette.principals import Principal


def list_logs(siteId, token_info, limit=50, action=None, level=None, machineId=None, since=None):
    """GET /api/admin/logs"""
    access.require_site_admin(Principal.from_token_info(token_info), siteId)
    logs = activity.list_entries(siteId, limit=limit, action=action, level=level, machine_id=machineId,
                                 since=activity.parse_since(since))
    return {"success": True, "logs": logs}, 200
