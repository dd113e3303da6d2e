"""Publishing and delivery: events commit with the caller's transaction, reach every matching
named subscriber once, are tried again when a handler fails, and are claimed by one worker."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from agentdeck import eventbus
from agentdeck.eventbus import dispatcher, metrics
from agentdeck.eventbus.dispatcher import claim_deliveries, deliver_once, record_outcomes
from agentdeck.storage.db import database, writing
from agentdeck.storage.models.eventbus import Event, EventDelivery
from agentdeck.timeutil import utcnow


def test_an_event_commits_with_the_callers_transaction_or_not_at_all(db):
    eventbus.subscribe("orders.*", lambda event: None, name="orders")
    with pytest.raises(RuntimeError):
        with writing():
            eventbus.publish("orders.created", {"n": 1})
            raise RuntimeError("the write failed")
    assert Event.select().count() == 0 and EventDelivery.select().count() == 0
    with writing():
        event_id = eventbus.publish("orders.created", {"n": 2}, key="order-2")
    row = Event.get_by_id(event_id)
    assert (row.topic, row.key, row.payload) == ("orders.created", "order-2", {"n": 2})


async def test_every_matching_subscriber_gets_each_event_once_sync_or_async(db):
    seen: list[tuple[str, str, dict]] = []

    def on_order(event):
        seen.append(("sync", event.topic, event.payload))

    async def on_anything(event):
        seen.append(("async", event.topic, event.payload))

    eventbus.subscribe("orders.*", on_order, name="order-log")
    eventbus.subscribe("*", on_anything, name="audit")
    published = metrics.PUBLISHED._value.get()
    delivered = metrics.DELIVERED.labels("audit")._value.get()
    eventbus.publish("orders.created", {"n": 1})
    eventbus.publish("users.created", {"n": 2})
    assert await deliver_once() == 3
    assert await deliver_once() == 0
    assert sorted(seen) == [("async", "orders.created", {"n": 1}), ("async", "users.created", {"n": 2}),
                            ("sync", "orders.created", {"n": 1})]
    assert metrics.PUBLISHED._value.get() == published + 2
    assert metrics.DELIVERED.labels("audit")._value.get() == delivered + 2


async def test_a_subscriber_gets_what_was_published_after_it_first_registered(db):
    eventbus.publish("orders.created", {"n": 1})
    got = []
    eventbus.subscribe("orders.*", lambda event: got.append(event.payload["n"]), name="late")
    eventbus.publish("orders.created", {"n": 2})
    await deliver_once()
    assert got == [2]


async def test_a_failing_handler_is_tried_again_then_given_up(db, monkeypatch):
    monkeypatch.setattr(dispatcher, "retry_delay", lambda attempts: 0)
    attempts = []

    def flaky(event):
        attempts.append(event.attempt)
        if event.attempt < 3:
            raise ValueError("not yet")

    eventbus.subscribe("jobs.*", flaky, name="flaky")
    eventbus.publish("jobs.run", {})
    failures = metrics.FAILED.labels("flaky")._value.get()
    for _ in range(4):
        await deliver_once()
        await asyncio.sleep(0.01)
    assert attempts == [1, 2, 3]
    assert metrics.FAILED.labels("flaky")._value.get() == failures + 2
    assert EventDelivery.get().status == "done"

    monkeypatch.setattr(dispatcher, "MAX_ATTEMPTS", 2)
    eventbus.subscribe("jobs.*", lambda event: 1 / 0, name="broken")
    eventbus.publish("jobs.run", {})
    for _ in range(3):
        await deliver_once()
        await asyncio.sleep(0.01)
    row = EventDelivery.get(EventDelivery.subscriber == "broken")
    assert (row.status, row.attempts) == ("failed", 2) and "ZeroDivisionError" in row.last_error


def test_a_delivery_is_claimed_by_one_worker_and_retaken_when_its_claim_runs_out(db):
    eventbus.subscribe("jobs.*", lambda event: None, name="jobs")
    eventbus.publish("jobs.run", {"n": 1})
    first = claim_deliveries(["jobs"], holder="worker-a")
    assert [(name, event.payload) for name, event in first] == [("jobs", {"n": 1})]
    assert claim_deliveries(["jobs"], holder="worker-b") == []
    # worker-a dies without recording an outcome; once its claim runs out, worker-b takes it
    with writing():
        EventDelivery.update(claimed_until=utcnow() - timedelta(seconds=1)).execute()
    again = claim_deliveries(["jobs"], holder="worker-b")
    assert [event.attempt for _, event in again] == [2]
    record_outcomes([("jobs", again[0][1], None)])
    assert EventDelivery.get().status == "done"


async def test_the_dispatch_loop_delivers_within_moments_of_the_commit(db):
    got = asyncio.Queue()
    eventbus.subscribe("pings", lambda event: got.put_nowait((event.payload, time.monotonic())), name="pinger")
    loop_task = asyncio.create_task(eventbus.dispatch_loop())
    try:
        await asyncio.sleep(0.3)  # listening
        sent = time.monotonic()
        await asyncio.to_thread(eventbus.publish, "pings", {"n": 1})
        payload, arrived = await asyncio.wait_for(got.get(), 5)
        assert payload == {"n": 1} and arrived - sent < 0.5
    finally:
        loop_task.cancel()


def test_the_sweep_prunes_delivered_events_and_keeps_pending_ones(db):
    eventbus.subscribe("jobs.*", lambda event: None, name="jobs")
    handled = eventbus.publish("jobs.a", {})
    waiting = eventbus.publish("jobs.b", {})
    unheard = eventbus.publish("nobody.listens", {})
    record_outcomes([(name, event, None) for name, event in claim_deliveries(["jobs"])
                     if event.id == handled])
    with writing():
        Event.update(created_at=utcnow() - timedelta(hours=2)).execute()
    assert eventbus.prune_delivered_events() == 2
    assert [row.id for row in Event.select()] == [waiting]
    assert EventDelivery.select().where(EventDelivery.event_id << [handled, unheard]).count() == 0


def test_forgetting_a_subscriber_drops_what_it_still_had_pending(db):
    eventbus.subscribe("jobs.*", lambda event: None, name="retired")
    eventbus.publish("jobs.a", {})
    eventbus.unsubscribe("retired", forget=True)
    eventbus.publish("jobs.b", {})
    assert EventDelivery.select().count() == 0
    assert database.obj is not None
