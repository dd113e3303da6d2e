"""Session handlers (messages, streaming and cancellation are in ``messages``)."""
from agentdeck.amplifier import sessions


def create_session(body):
    """POST /sessions"""
    session = sessions.create_session(body["config_id"])
    return sessions.session_info(session, "Session created successfully"), 201


def list_sessions(limit=50, offset=0):
    """GET /sessions"""
    page, total = sessions.list_sessions(limit, offset)
    return {"sessions": [sessions.session_summary(s) for s in page], "total": total}, 200


def get_session(session_id):
    """GET /sessions/{session_id}"""
    return sessions.session_info(sessions.get_session(session_id)), 200


def delete_session(session_id):
    """DELETE /sessions/{session_id}"""
    sessions.delete_session(session_id)
    return {"message": "Session deleted successfully"}, 200


def resume_session(session_id):
    """POST /sessions/{session_id}/resume"""
    return sessions.session_info(sessions.resume_session(session_id), "Session resumed successfully"), 200
