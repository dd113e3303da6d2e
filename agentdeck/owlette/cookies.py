"""The ``Set-Cookie`` values owlette answers with: HttpOnly, SameSite=Lax, Path=/, and Secure when
the dashboard is served over https."""
from __future__ import annotations

from agentdeck.settings import get_settings

from agentdeck.owlette.sessions import SESSION_COOKIE


def _secure(scheme: str | None) -> str:
    https = scheme == "https" or get_settings().owlette_origin.startswith("https:")
    return "; Secure" if https else ""


def session_cookie(value: str, max_age: int, scheme: str | None = None) -> str:
    """The session cookie, lasting ``max_age`` seconds."""
    return f"{SESSION_COOKIE}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{_secure(scheme)}"


def clear_session_cookie(scheme: str | None = None) -> str:
    """A ``Set-Cookie`` value making the browser drop the session cookie."""
    return session_cookie("", 0, scheme)
