"""Viewer login sessions."""
from agentdeck.augur import cookies, sessions
from agentdeck.augur.principals import Viewer


def log_in(body):
    """POST /api/v1/auth/login"""
    token, user = sessions.log_in(body["email"], body["password"])
    me = sessions.whoami(Viewer(user.id, user.tenant_id, user.tenant_id, user.is_admin))
    return me, 200, {"Set-Cookie": cookies.session_cookie(token)}


def log_out(augur_session=None):
    """POST /api/v1/auth/logout"""
    sessions.log_out(augur_session)
    return {"ok": True}, 200, {"Set-Cookie": cookies.clear_cookie(sessions.SESSION_COOKIE)}


def get_me(token_info):
    """GET /api/v1/auth/me"""
    return sessions.whoami(Viewer.from_token_info(token_info)), 200
