"""A webhook receiver on loopback, as an operator's endpoint would be: it checks the signature
with ``agentdeck.deliveries.verify`` and can be told to fail its first requests."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agentdeck.deliveries import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.support.servers import ThreadedServer


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the receiver saw it, and what it answered."""

    payload: dict
    headers: dict
    signature_ok: bool | None
    status: int


class WebhookReceiver:
    """Serves ``POST /hook`` on 127.0.0.1 while used as a context manager.

    With a ``secret`` every request must carry a valid signature (401 otherwise); the first
    ``fail_first`` requests are answered 500, to make the sender retry.
    """

    def __init__(self, *, secret: str | None = None, fail_first: int = 0):
        self.secret = secret
        self.fail_first = fail_first
        self.requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadedServer(Starlette(routes=[Route("/hook", self._receive, methods=["POST"])]))

    @property
    def url(self) -> str:
        """The URL to configure as the webhook target."""
        return f"{self._server.url}/hook"

    def _check_signature(self, request: Request, body: bytes) -> bool | None:
        if self.secret is None:
            return None
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        return bool(timestamp and signature) and verify(self.secret, timestamp, body, signature)

    async def _receive(self, request: Request) -> JSONResponse:
        body = await request.body()
        signature_ok = self._check_signature(request, body)
        with self._lock:
            if signature_ok is False:
                status = 401
            else:
                status = 500 if sum(r.status != 401 for r in self.requests) < self.fail_first else 200
            self.requests.append(ReceivedRequest(json.loads(body), dict(request.headers), signature_ok, status))
        return JSONResponse({"ok": status == 200}, status_code=status)

    def __enter__(self):
        self._server.__enter__()
        return self

    def __exit__(self, *exc):
        self._server.__exit__(*exc)
