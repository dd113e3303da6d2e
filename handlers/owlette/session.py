"""Sign-in sessions: POST, GET and DELETE /api/auth/session."""
from connexion import request

from agentdeck.owlette import cookies, sessions
from agentdeck.owlette.origins import check_origin


def _client() -> str | None:
    return request.client.host if request.client else None


async def create_session(body):
    """POST /api/auth/session"""
    check_origin(request.method, request.headers)  # no signing a browser in from another site
    opened = await sessions.sign_in(body["email"], body["password"], body.get("durationDays", sessions.DEFAULT_DAYS),
                              _client())
    message = sessions.MFA_REQUIRED if opened.mfa_pending else "Session created"
    document = {"success": True, "message": message, "expiresIn": opened.max_age,
                "userId": opened.user.id, "mfaRequired": opened.mfa_pending}
    return document, 200, {"Set-Cookie": cookies.session_cookie(opened.cookie, opened.max_age, request.url.scheme)}


def get_session():
    """GET /api/auth/session"""
    return sessions.status(request.cookies.get(sessions.SESSION_COOKIE)), 200


def delete_session():
    """DELETE /api/auth/session"""
    # Signing out must work with an expired session too, so the cookie is read here rather than
    # through the session security scheme; the origin rule still applies.
    check_origin(request.method, request.headers)
    sessions.sign_out(request.cookies.get(sessions.SESSION_COOKIE))
    return ({"success": True, "message": "Signed out"}, 200,
            {"Set-Cookie": cookies.clear_session_cookie(request.url.scheme)})
