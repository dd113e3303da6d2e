"""A webhook receiver on loopback: records every request and answers as told."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.servers import ThreadedServer


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers ``status`` (or the next of ``script``) and records what arrived."""

    status: int = 200
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle(self, request: Request):
        body = await request.body()
        with self.lock:
            self.received.append(Received(request.url.path, dict(request.headers), body))
            status = self.script.pop(0) if self.script else self.status
        if status >= 400:
            return JSONResponse({"status": "error", "message": "refused"}, status_code=status)
        return JSONResponse({"status": "success"}, status_code=status)

    def serve(self) -> ThreadedServer:
        """A ThreadedServer for this receiver (use as a context manager)."""
        app = Starlette(routes=[Route("/{path:path}", self.handle, methods=["POST"])])
        return ThreadedServer(app)
