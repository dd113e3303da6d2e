"""ASGI middleware: a request id on every request and response, one log line per request, and
the request metrics. Sits outside Connexion's exception handling, so it sees final statuses."""
from __future__ import annotations

import itertools
import logging
import os
import secrets
import time

from agentdeck import metrics
from agentdeck.errors import PayloadTooLarge
from agentdeck.surfaces import Mounted, surface_for_path

log = logging.getLogger("agentdeck.access")
REQUEST_ID_HEADER = b"x-request-id"


class RequestContextMiddleware:
    """Assigns ``X-Request-ID`` (or keeps a sane one sent by the client), logs, and measures."""

    def __init__(self, app, mounted: list[Mounted], max_body_bytes: int):
        self.app = app
        self.mounted = mounted
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        # Connexion's router records the operation in scope["extensions"] of a shallow copy of the
        # scope; the dict must exist before that copy for us to see it (uvicorn sends none).
        scope.setdefault("extensions", {})
        surface, _ = surface_for_path(scope["path"], self.mounted)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, _bounded(receive, scope, self.max_body_bytes), send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            operation = _operation(scope)
            status = status_holder["status"]
            metrics.observe(surface.name, operation, status, elapsed)
            log.info("%s %s %s surface=%s operation=%s status=%d duration_ms=%.1f",
                     request_id, scope["method"], scope["path"], surface.name, operation, status,
                     elapsed * 1000)


def _bounded(receive, scope, limit: int):
    """``receive`` that raises ``PayloadTooLarge`` once the body passes ``limit`` bytes.

    Raised from inside the app's body read, so the surface's error handler shapes the 413.
    """
    declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), b"0")
    received = 0

    async def bounded_receive():
        nonlocal received
        if declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
        return message

    return bounded_receive


def _request_id(scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER and 0 < len(value) <= 64 and value.isascii():
            text = value.decode()
            if all(c.isalnum() or c in "-_." for c in text):
                return text
    return _new_request_id()


# Request ids: a random prefix per process and a counter (16 hex digits), unique across workers
# without asking the OS for randomness on every request (that was 2 % of a request's CPU).
_id_prefix = secrets.token_hex(4)
_id_counter = itertools.count()


def _new_request_id() -> str:
    return f"{_id_prefix}{next(_id_counter) & 0xFFFFFFFF:08x}"


def _new_id_prefix() -> None:
    global _id_prefix, _id_counter
    _id_prefix, _id_counter = secrets.token_hex(4), itertools.count()


os.register_at_fork(after_in_child=_new_id_prefix)


def _operation(scope) -> str:
    routing = scope.get("extensions", {}).get("connexion_routing", {})
    operation_id = routing.get("operation_id")
    if not operation_id:
        return "unrouted"
    return operation_id.rpartition(".handlers.")[2] or operation_id
