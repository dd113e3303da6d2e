"""TPA server management handlers."""
from connexion import request

from agentdeck.augmentos import sessions, tpa_servers


def register_tpa_server(body):
    """POST /api/tpa-server/register"""
    server = tpa_servers.register_tpa_server(body["packageName"], body.get("apiKey"),
                                             body["webhookUrl"], body.get("serverUrls", ""))
    return {"success": True, "registrationId": server.id}, 201


def send_heartbeat(body):
    """POST /api/tpa-server/heartbeat"""
    tpa_servers.record_heartbeat(body["registrationId"])
    return {"success": True}, 200


def notify_restart(body):
    """POST /api/tpa-server/restart"""
    recovered = tpa_servers.recover_sessions(body["registrationId"],
                                             websocket_url=sessions.tpa_websocket_url(request.scope))
    return {"success": True, "recoveredSessions": recovered}, 200
