"""Glasses-client app session handlers (agentdeck extensions)."""
from agentdeck.augmentos import sessions


def list_app_sessions(user):
    """GET /api/app-sessions"""
    data = [sessions.session_document(s) for s in sessions.list_user_sessions(user)]
    return {"success": True, "data": data}, 200


def start_app_session(body, user):
    """POST /api/app-sessions"""
    session = sessions.start_session(user, body["packageName"])
    return {"success": True, "data": sessions.session_document(session)}, 201


def stop_app_session(appSessionId, user, reason="user_disabled"):
    """POST /api/app-sessions/{appSessionId}/stop"""
    session = sessions.stop_session(user, appSessionId, reason)
    return {"success": True, "data": sessions.session_document(session)}, 200
