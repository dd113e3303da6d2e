"""A webhook receiver that checks signatures as an operator's endpoint would."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse

from agentdeck.deliveries import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.support.receiver import Received, WebhookReceiver


@dataclass
class SignedWebhookReceiver(WebhookReceiver):
    """``WebhookReceiver`` answering 401 to any request whose signature, checked with
    ``agentdeck.deliveries.verify`` against ``secret``, is missing or wrong."""

    secret: str = "s3cret"
    url: str = ""

    def signature_ok(self, received: Received) -> bool:
        """Whether ``received`` carries a valid signature for ``secret``."""
        timestamp = received.headers.get(TIMESTAMP_HEADER.lower(), "")
        signature = received.headers.get(SIGNATURE_HEADER.lower(), "")
        return bool(timestamp and signature) and verify(self.secret, timestamp, received.body, signature)

    async def handle(self, request: Request):
        received = Received(request.url.path, dict(request.headers), await request.body())
        if self.signature_ok(received):
            return await super().handle(request)
        with self.lock:
            self.received.append(received)
        return JSONResponse({"status": "error", "message": "bad signature"}, status_code=401)


@contextlib.contextmanager
def serving(receiver: WebhookReceiver):
    """Serve ``receiver`` on loopback; yields its ``/hook`` URL."""
    with receiver.serve() as server:
        yield f"{server.url}/hook"


@contextlib.contextmanager
def signed_receiver(secret: str = "s3cret"):
    """A running ``SignedWebhookReceiver`` with its ``url`` set."""
    receiver = SignedWebhookReceiver(secret=secret)
    with serving(receiver) as url:
        receiver.url = url
        yield receiver
