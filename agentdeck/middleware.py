"""ASGI middleware: a request id on every request and response, one log line per request, and
the request metrics. Sits outside Connexion's exception handling, so it sees final statuses."""
from __future__ import annotations

import asyncio
import itertools
import logging
import os
import secrets
import time

from agentdeck import metrics
from agentdeck.errors import PayloadTooLarge, RequestTimeout, UnsupportedMediaType
from agentdeck.surfaces import Mounted, surface_for_path

log = logging.getLogger("agentdeck.access")
REQUEST_ID_HEADER = b"x-request-id"


class RequestContextMiddleware:
    """Assigns ``X-Request-ID`` (or keeps a sane one sent by the client), logs, and measures."""

    def __init__(self, app, mounted: list[Mounted], max_body_bytes: int, body_timeout: float):
        self.app = app
        self.mounted = mounted
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

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
            limit = surface.body_limit(self.max_body_bytes)
            if _chunked_without_length(scope):
                receive = await _read_chunked(receive, scope, limit, self.body_timeout)
            receive = _guarded(receive, scope, limit, self.body_timeout)
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            operation = _operation(scope)
            status = status_holder["status"]
            metrics.observe(surface.name, operation, status, elapsed)
            log.info("%s %s %s surface=%s operation=%s status=%d duration_ms=%.1f",
                     request_id, scope["method"], scope["path"], surface.name, operation, status,
                     elapsed * 1000)


def _chunked_without_length(scope) -> bool:
    headers = scope.get("headers", ())
    return (any(k == b"transfer-encoding" and b"chunked" in v.lower() for k, v in headers)
            and not any(k == b"content-length" for k, _ in headers))


def _guarded(receive, scope, limit: int, timeout: float):
    """The app's ``receive`` for this request's body, within the server's bounds.

    - over ``limit`` bytes, declared or sent: ``PayloadTooLarge`` (413, and the connection is
      closed after it: the rest of the body is never read);
    - no ``Content-Type`` with a body: ``UnsupportedMediaType`` (415), since no operation can
      tell how to read it;
    - each part of the body must arrive within ``timeout`` seconds: ``RequestTimeout`` (408).

    These are raised from inside the app's own body read, so the surface's error handler shapes
    them. Once the body is whole, ``receive`` is the server's again (a streaming response waits
    on it for the client's disconnect for as long as it runs).
    """
    length = content_type = None
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            length = value
        elif name == b"content-type":
            content_type = value
    if length is None or length == b"0":
        return receive
    if length.isdigit() and int(length) > limit:
        return _raising(_too_large(limit))
    if content_type is None:
        return _raising(_NO_CONTENT_TYPE)
    received = 0
    done = False

    async def guarded_receive():
        nonlocal received, done
        if done:
            return await receive()
        message = await _within(receive, timeout)
        received += len(message.get("body", b""))
        if received > limit:
            raise _too_large(limit)
        done = not message.get("more_body", False)
        return message

    return guarded_receive


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Request body is larger than {limit} bytes", headers={"Connection": "close"})


_NO_CONTENT_TYPE = UnsupportedMediaType("A request body needs a Content-Type header")


async def _within(receive, timeout: float):
    try:
        async with asyncio.timeout(timeout):
            return await receive()
    except TimeoutError:
        raise RequestTimeout(f"The request body did not arrive within {timeout:g} seconds") from None


def _raising(error):
    async def raising_receive():
        raise error

    return raising_receive


async def _read_chunked(receive, scope, limit: int, timeout: float):
    """A chunked body (no Content-Length) read whole, then handed over with the Content-Length
    it turned out to have: Connexion's validators take a body without one for a missing body.

    Past ``limit`` (or too slow), the declared length says so and the app's first read raises.
    """
    parts, size, failure = [], 0, None
    try:
        while True:
            message = await _within(receive, timeout)
            if message["type"] != "http.request":
                break
            parts.append(message.get("body", b""))
            size += len(parts[-1])
            if size > limit:
                failure = _too_large(limit)
                break
            if not message.get("more_body", False):
                break
    except RequestTimeout as exc:
        failure = exc
    headers = [(k, v) for k, v in scope["headers"] if k != b"transfer-encoding"]
    headers.append((b"content-length", str(max(size, 1) if failure else size).encode()))
    scope["headers"] = headers
    if failure is not None:
        return _raising(failure)
    body = b"".join(parts)
    replayed = False

    async def replay_receive():
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay_receive


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
