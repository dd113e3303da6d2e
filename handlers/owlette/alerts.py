"""Alerts: POST /api/agent/alert (an agent's report) and POST /api/admin/events/simulate."""
from connexion import request

from agentdeck.errors import Forbidden
from agentdeck.owlette import access, alerting
from agentdeck.owlette.principals import Principal


def agent_alert(body, token_info):
    """POST /api/agent/alert"""
    if body["siteId"] != token_info.get("site_id") or body["machineId"] != token_info.get("machine_id"):
        raise Forbidden("Forbidden: token does not match site or machine")
    data = body.get("data") or {}
    event = alerting.AlertEvent(
        site_id=body["siteId"], event=body.get("eventType") or body.get("type"), machine_id=body["machineId"],
        machine_name=body.get("machineName"), process_name=body.get("processName") or data.get("processName"),
        error_message=body.get("errorMessage") or data.get("errorMessage"),
        error_code=body.get("errorCode") or data.get("errorCode"),
        agent_version=body.get("agentVersion") or token_info.get("version"))
    limited = alerting.check_agent_limits(event, request.client.host if request.client else None)
    return alerting.raise_alert(event, limited_reason=limited), 200


def simulate(body, token_info):
    """POST /api/admin/events/simulate"""
    access.require_site_admin(Principal.from_token_info(token_info), body["siteId"])
    data = body.get("data") or {}
    event = alerting.AlertEvent(
        site_id=body["siteId"], event=body["event"], machine_id=data.get("machineId") or "DESKTOP-TEST",
        machine_name=data.get("machineName") or "Test Machine", process_name=data.get("processName"),
        error_message=data.get("errorMessage"), extra={"simulated": True})
    return {"event": body["event"], **alerting.raise_alert(event)}, 200
