"""Deployments: create, list, get, delete, cancel a target."""
from agentdeck.owlette.fleet import deployments

from agentdeck.owlette.fleet.callers import site_admin


def list_deployments(siteId, token_info, limit=20):
    """GET /api/admin/deployments"""
    site_admin(token_info, siteId)
    return {"success": True, "deployments": deployments.list_deployments(siteId, limit)}, 200


def create_deployment(body, token_info):
    """POST /api/admin/deployments"""
    principal = site_admin(token_info, body["siteId"])
    return {"success": True, "deploymentId": deployments.create(body["siteId"], body, principal.user_id)}, 200


def get_deployment(deploymentId, siteId, token_info):
    """GET /api/admin/deployments/{deploymentId}"""
    site_admin(token_info, siteId)
    return {"success": True, "deployment": deployments.get(siteId, deploymentId)}, 200


def delete_deployment(deploymentId, siteId, token_info):
    """DELETE /api/admin/deployments/{deploymentId}"""
    site_admin(token_info, siteId)
    deployments.delete(siteId, deploymentId)
    return {"success": True, "deploymentId": deploymentId}, 200


def cancel_deployment(deploymentId, body, token_info):
    """POST /api/admin/deployments/{deploymentId}/cancel"""
    principal = site_admin(token_info, body["siteId"])
    return deployments.cancel(body["siteId"], deploymentId, body["machineId"], body.get("installer_name"),
                              principal.user_id), 200
