"""Deliveries are attempted by one runner at a time: a sweep skips one whose try is running."""
import asyncio
import threading
from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from agentdeck import deliveries
from agentdeck.storage.models.core import Delivery
from agentdeck.timeutil import utcnow
from tests.support.servers import ThreadedServer


class SlowReceiver:
    """Answers 500 at once to the first request, then holds each later one until released."""

    def __init__(self):
        self.count = 0
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle(self, request):
        await request.body()
        self.count += 1
        if self.count == 1:
            return JSONResponse({"status": "error"}, status_code=500)
        self.holding.set()
        while not self.release.is_set():
            await asyncio.sleep(0.01)
        return JSONResponse({"status": "success"})


@pytest.fixture
def slow(app):
    receiver = SlowReceiver()
    with ThreadedServer(Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])) as server:
        receiver.url = f"{server.url}/hook"
        yield receiver
        receiver.release.set()


def _in_thread(func, *args, **kwargs):
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", func(*args, **kwargs)))
    thread.start()
    return thread, result


def _due_now(delivery_id):
    Delivery.update(next_attempt_at=utcnow() - timedelta(seconds=1)).where(Delivery.id == delivery_id).execute()


def test_sweep_skips_a_delivery_whose_inline_retry_is_running(slow):
    thread, result = _in_thread(deliveries.deliver, "test.inline", slow.url, {"n": 1},
                                max_attempts=2, inline_attempts=2, inline_delay=0.1)
    assert slow.holding.wait(10), "the inline retry did not start"
    _due_now(Delivery.get().id)  # the first try's backoff has passed while the retry hangs
    assert deliveries.retry_due_deliveries() == 0
    slow.release.set()
    thread.join(10)
    assert result["value"].delivered and result["value"].attempts == 2
    assert slow.count == 2
    assert Delivery.get().claimed_until is None


def test_two_sweeps_never_attempt_the_same_delivery(slow):
    outcome = deliveries.deliver("test.sweep", slow.url, {"n": 1}, max_attempts=3, inline_attempts=1)
    assert outcome.status == "pending"
    _due_now(outcome.delivery_id)
    thread, result = _in_thread(deliveries.retry_due_deliveries)
    assert slow.holding.wait(10)
    _due_now(outcome.delivery_id)
    assert deliveries.retry_due_deliveries() == 0, "a second sweep took up a delivery being tried"
    slow.release.set()
    thread.join(10)
    assert result["value"] == 1 and slow.count == 2
    assert Delivery.get_by_id(outcome.delivery_id).status == "delivered"


def test_an_expired_claim_is_taken_over(app):
    outcome = deliveries.deliver("test.expired", "http://127.0.0.1:9/unreachable", {}, max_attempts=3)
    Delivery.update(claimed_until=utcnow() - timedelta(seconds=1)).execute()
    assert deliveries.claim(outcome.delivery_id)
    assert not deliveries.claim(outcome.delivery_id), "a live claim is not taken twice"
