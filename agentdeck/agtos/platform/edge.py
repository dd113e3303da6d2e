"""What agtOS answers around its operations, at its mount only: CORS from ``CORS_ORIGIN`` (the
preflight answered 204 here) and the per-client rate limits ``API_RATE_LIMIT`` (every ``/api/*``
request) and ``CHAT_RATE_LIMIT`` (chat, tasks and credentials, counted on top of the first).

Both limits are ``agentdeck.ratelimit`` windows of one minute, kept in the database, so every
worker counts against the same numbers. Their sizes are the settings ``apiRateLimit`` and
``chatRateLimit`` (``agentdeck.agtos.settings.store``; by default the variables above), read on
each request, so a change through ``PUT /api/settings`` reaches every worker within a second. A request past a limit raises ``RateLimited`` inside
Connexion's exception handling, which answers agtOS's 429; every other ``/api`` response carries
``X-RateLimit-Remaining``.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from agentdeck import ratelimit
from agentdeck.agtos.settings import store

# Origins the agtOS desktop app (Tauri) loads its pages from; the reference adds them always.
TAURI_ORIGINS = ("tauri://localhost", "http://tauri.localhost", "https://tauri.localhost")
CHAT_PATHS = ("/api/chat", "/api/tasks", "/api/credentials")
ALLOWED_METHODS = b"GET, HEAD, PUT, PATCH, POST, DELETE"
EXPOSED_HEADERS = b"X-RateLimit-Remaining, X-RateLimit-Limit, X-RateLimit-Reset, Retry-After, X-Request-ID"
_REMAINING = "agtos_ratelimit_remaining"


def _below(path: str, mounts: list[str]) -> str | None:
    """``path`` below the agtOS mount it falls under, else None."""
    for mount in mounts:
        if mount == "" or path == mount or path.startswith(mount + "/"):
            return path[len(mount):] or "/"
    return None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _header(scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return None


class AgtosCors:
    """CORS for the agtOS mount: a preflight from anywhere is 204 (with the allow headers only
    for an allowed origin), and every response to an allowed origin says so. Also copies the
    rate limiter's remaining count onto ``/api`` responses, errors included."""

    def __init__(self, app, mounts: list[str], origins: tuple[str, ...]):
        self.app = app
        self.mounts = sorted(mounts, key=len, reverse=True)
        self.origins = {o.rstrip("/").encode() for o in (*origins, *TAURI_ORIGINS)}

    async def __call__(self, scope, receive, send):
        below = _below(scope["path"], self.mounts) if scope["type"] == "http" else None
        if below is None:
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        allowed = origin is not None and origin in self.origins
        if scope["method"] == "OPTIONS" and origin is not None and _header(scope, b"access-control-request-method"):
            await self._preflight(scope, send, origin if allowed else None)
            return
        state = scope.setdefault("state", {})

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if allowed:
                    headers += [(b"access-control-allow-origin", origin), (b"vary", b"Origin"),
                                (b"access-control-expose-headers", EXPOSED_HEADERS)]
                if state.get(_REMAINING) is not None and b"x-ratelimit-remaining" not in names:
                    headers.append((b"x-ratelimit-remaining", str(state[_REMAINING]).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, scope, send, origin: bytes | None) -> None:
        headers = [(b"vary", b"Origin, Access-Control-Request-Headers"), (b"content-length", b"0")]
        if origin is not None:
            requested = _header(scope, b"access-control-request-headers") or b"Content-Type, Authorization"
            headers += [(b"access-control-allow-origin", origin),
                        (b"access-control-allow-methods", ALLOWED_METHODS),
                        (b"access-control-allow-headers", requested),
                        (b"access-control-max-age", b"600")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


class AgtosRateLimits:
    """Counts each ``/api`` request of a client against agtOS's limits (see the module)."""

    def __init__(self, app, mounts: list[str], api_per_minute: int | None = None,
                 chat_per_minute: int | None = None):
        # The per-minute figures given here are the settings' defaults already; the store's
        # current values are what is counted against.
        self.app = app
        self.mounts = sorted(mounts, key=len, reverse=True)

    async def __call__(self, scope, receive, send):
        below = _below(scope["path"], self.mounts) if scope["type"] == "http" else None
        if below is not None and _under(below, "/api"):
            client = scope["client"][0] if scope.get("client") else None
            chat = any(_under(below, p) for p in CHAT_PATHS)
            remaining = await run_in_threadpool(_count, chat, client)
            scope.setdefault("state", {})[_REMAINING] = remaining
        await self.app(scope, receive, send)


def _count(chat: bool, client: str | None) -> int:
    limits = [ratelimit.Limit("agtos-api", store.get("apiRateLimit"), 60, reset_as_seconds=True)]
    if chat:
        limits.append(ratelimit.Limit("agtos-chat", store.get("chatRateLimit"), 60, reset_as_seconds=True))
    return min(ratelimit.hit(limit, client) for limit in limits)
