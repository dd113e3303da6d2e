"""Glasses-client app session handlers (agentdeck extensions)."""
from connexion import request

from agentdeck.augmentos import displays, sessions


def list_app_sessions(user):
    """GET /api/app-sessions"""
    data = [sessions.session_document(s) for s in sessions.list_user_sessions(user)]
    return {"success": True, "data": data}, 200


def start_app_session(body, user):
    """POST /api/app-sessions"""
    session = sessions.start_session(user, body["packageName"],
                                     websocket_url=sessions.tpa_websocket_url(request.scope))
    return {"success": True, "data": sessions.session_document(session)}, 201


def stop_app_session(appSessionId, user, reason="user_disabled"):
    """POST /api/app-sessions/{appSessionId}/stop"""
    session = sessions.stop_session(user, appSessionId, reason)
    return {"success": True, "data": sessions.session_document(session)}, 200


def get_app_session_display(appSessionId, user):
    """GET /api/app-sessions/{appSessionId}/display"""
    session, views = displays.get_session_display(user, appSessionId)
    return {"success": True, "data": displays.display_document(session, views)}, 200
