"""The Set-Cookie values Augur answers with: HttpOnly, SameSite=Lax, Path=/, and Secure when
the server's public URL is HTTPS."""
from __future__ import annotations

from agentdeck.settings import get_settings

from agentdeck.augur.sessions import OVERRIDE_COOKIE, SESSION_COOKIE


def _cookie(name: str, value: str, max_age: int) -> str:
    secure = "; Secure" if get_settings().augur_public_url.startswith("https:") else ""
    return f"{name}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}"


def session_cookie(token: str) -> str:
    """The login cookie, lasting as long as the server-side session."""
    return _cookie(SESSION_COOKIE, token, int(get_settings().augur_session_ttl))


def override_cookie(tenant_id: str | None) -> str:
    """The admin's tenant override for ``tenant_id``, or a cookie clearing it (None)."""
    if tenant_id is None:
        return clear_cookie(OVERRIDE_COOKIE)
    return _cookie(OVERRIDE_COOKIE, tenant_id, int(get_settings().augur_session_ttl))


def clear_cookie(name: str) -> str:
    """A Set-Cookie value that makes the browser drop cookie ``name``."""
    return _cookie(name, "", 0)
