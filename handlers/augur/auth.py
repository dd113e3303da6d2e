"""Viewer login sessions."""
from connexion import request

from agentdeck.augur import cookies, sessions
from agentdeck.augur.principals import Viewer


def log_in(body):
    """POST /api/v1/auth/login"""
    client_address = request.client.host if request.client else None
    token, user = sessions.log_in(body["email"], body["password"], client_address)
    me = sessions.whoami(Viewer(user.id, user.tenant_id, user.tenant_id, user.is_admin))
    return me, 200, {"Set-Cookie": cookies.session_cookie(token)}


def log_out():
    """POST /api/v1/auth/logout"""
    # Logging out must work with an expired session too, so the cookie is read here rather
    # than through the session security scheme (Connexion does not pass cookie parameters).
    sessions.log_out(request.cookies.get(sessions.SESSION_COOKIE))
    return {"ok": True}, 200, {"Set-Cookie": cookies.clear_cookie(sessions.SESSION_COOKIE)}


def get_me(token_info):
    """GET /api/v1/auth/me"""
    return sessions.whoami(Viewer.from_token_info(token_info)), 200
