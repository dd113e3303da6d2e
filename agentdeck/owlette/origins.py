"""Where cookie-authenticated changes may come from: the dashboard's own origin.

A browser sends ``Origin`` on every cross-origin request and on same-origin POSTs; where it does
not, ``Referer`` names the page. A request naming neither is a non-browser client (it holds the
cookie itself), and SameSite=Lax already keeps the cookie off cross-site form posts.
"""
from __future__ import annotations

from urllib.parse import urlparse

from agentdeck.errors import Forbidden
from agentdeck.settings import get_settings

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def allowed_origins() -> set[str]:
    """The origins accepted: the setting, or where the server listens (both loopback names)."""
    settings = get_settings()
    expected = settings.owlette_expected_origin
    if settings.owlette_origin:
        return {expected}
    return {expected, f"http://127.0.0.1:{settings.port}", f"http://localhost:{settings.port}"}


def _origin_of(url: str) -> str | None:
    parts = urlparse(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(method: str, headers) -> None:
    """``Forbidden`` when a state-changing request names an origin other than the dashboard's."""
    if method.upper() in SAFE_METHODS:
        return
    origin = headers.get("origin")
    if origin is None and headers.get("referer"):
        origin = _origin_of(headers["referer"]) or "null"
    if origin is None:
        return
    if origin.rstrip("/").lower() not in {o.lower() for o in allowed_origins()}:
        raise Forbidden("Forbidden: cross-origin request refused")
