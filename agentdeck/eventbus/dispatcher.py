"""Delivering events to this process's subscribers: claim pending deliveries in the database,
run the handlers, record the outcome.

A claim is a conditional UPDATE of the delivery row (pending, and unclaimed or its claim run
out), so with any number of workers or hosts one of them runs each delivery; a worker that dies
mid-delivery leaves the claim to run out and another takes the delivery again (at least once).
A handler that raises is tried again later, with a growing pause, up to ``MAX_ATTEMPTS`` times.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from agentdeck.eventbus import metrics
from agentdeck.eventbus.outbox import CHANNEL, topic_matches
from agentdeck.eventbus.subscribers import Subscription, local_subscriptions
from agentdeck.eventbus.wakeups import Wakeup
from agentdeck.leases import HOLDER
from agentdeck.storage.db import gives_back_connection, is_postgres, writing
from agentdeck.storage.models import eventbus as tables
from agentdeck.timeutil import utcnow

log = logging.getLogger("agentdeck.eventbus")
CLAIM_SECONDS = 60.0
MAX_ATTEMPTS = 8
BATCH = 100


@dataclass(frozen=True)
class Event:
    """What a handler receives: the published event, and which attempt this is (1 first)."""

    id: int
    topic: str
    key: str | None
    payload: dict
    created_at: datetime
    attempt: int = 1


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: 1, 2, 4 … at most 300."""
    return float(min(2 ** max(attempts - 1, 0), 300))


def _claimable(names, now):
    delivery = tables.EventDelivery
    return ((delivery.status == "pending") & (delivery.subscriber << list(names))
            & (delivery.claimed_until.is_null() | (delivery.claimed_until < now)))


@gives_back_connection
def claim_deliveries(names, limit: int = BATCH, holder: str = HOLDER) -> list[tuple[str, Event]]:
    """Claim up to ``limit`` due deliveries for the subscribers ``names``; returns
    ``(subscriber, event)`` pairs in event order. Each is this caller's for ``CLAIM_SECONDS``."""
    delivery = tables.EventDelivery
    now = utcnow()
    if not names or not delivery.select().where(_claimable(names, now)).exists():
        return []  # the common idle case takes no write lock
    claimed = []
    with writing():
        query = (delivery.select(delivery.subscriber, delivery.event_id, delivery.attempts)
                 .where(_claimable(names, now)).order_by(delivery.event_id, delivery.subscriber).limit(limit))
        if is_postgres():
            query = query.for_update("FOR UPDATE SKIP LOCKED")
        for subscriber, event_id, attempts in list(query.tuples()):
            taken = (delivery.update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), claimed_by=holder,
                                     attempts=delivery.attempts + 1)
                     .where(_claimable([subscriber], now) & (delivery.event_id == event_id)).execute())
            if taken:
                claimed.append((subscriber, event_id, attempts + 1))
    rows = {row.id: row for row in tables.Event.select().where(tables.Event.id << [c[1] for c in claimed])}
    return [(subscriber, Event(row.id, row.topic, row.key, row.payload, row.created_at, attempt))
            for subscriber, event_id, attempt in claimed if (row := rows.get(event_id)) is not None]


@gives_back_connection
def record_outcomes(outcomes: list[tuple[str, Event, str | None]]) -> None:
    """Mark each ``(subscriber, event, error)`` delivered (``error`` None) or due again later."""
    delivery = tables.EventDelivery
    now = utcnow()
    with writing():
        for subscriber, event, error in outcomes:
            where = (delivery.subscriber == subscriber) & (delivery.event_id == event.id) & (delivery.status == "pending")
            if error is None:
                delivery.update(status="done", delivered_at=now, claimed_until=None, last_error=None).where(where).execute()
            elif event.attempt >= MAX_ATTEMPTS:
                delivery.update(status="failed", claimed_until=None, last_error=error[:2000]).where(where).execute()
            else:
                again = now + timedelta(seconds=retry_delay(event.attempt))
                delivery.update(claimed_until=again, last_error=error[:2000]).where(where).execute()


async def _run_handler(subscription: Subscription, event: Event) -> str | None:
    try:
        if subscription.is_async:
            await subscription.handler(event)
        else:
            await asyncio.to_thread(gives_back_connection(subscription.handler), event)
    except Exception as exc:  # subscriber code: a failure is recorded and retried, never fatal
        log.exception("subscriber %s failed on event %s (%s), attempt %s",
                      subscription.name, event.id, event.topic, event.attempt)
        metrics.FAILED.labels(subscription.name).inc()
        if event.attempt >= MAX_ATTEMPTS:
            metrics.GAVE_UP.labels(subscription.name).inc()
        return f"{type(exc).__name__}: {exc}"
    metrics.DELIVERED.labels(subscription.name).inc()
    return None


async def _run_in_order(subscription: Subscription, events: list[Event]) -> list[tuple[str, Event, str | None]]:
    return [(subscription.name, event, await _run_handler(subscription, event)) for event in events]


async def deliver_once(subscriptions: dict[str, Subscription] | None = None) -> int:
    """Claim and handle one batch for this process's subscribers; returns how many were handled.

    Each subscriber's events run in event order; different subscribers run side by side.
    """
    subscriptions = local_subscriptions() if subscriptions is None else subscriptions
    claimed = await asyncio.to_thread(claim_deliveries, list(subscriptions))
    by_subscriber: dict[str, list[Event]] = {}
    for name, event in claimed:
        by_subscriber.setdefault(name, []).append(event)
    groups = await asyncio.gather(*(_run_in_order(subscriptions[name], events)
                                    for name, events in by_subscriber.items() if name in subscriptions))
    outcomes = [outcome for group in groups for outcome in group]
    if outcomes:
        await asyncio.to_thread(record_outcomes, outcomes)
    return len(outcomes)


def _wanted_here(topic: str) -> bool:
    return any(topic_matches(s.topic_pattern, topic) for s in local_subscriptions().values())


async def dispatch_loop() -> None:
    """Deliver events to this process's subscribers until cancelled, woken by each commit of
    a matching event on PostgreSQL and polling on SQLite."""
    async with Wakeup(CHANNEL, _wanted_here) as wakeup:
        while True:
            try:
                handled = await deliver_once()
            except Exception:  # the database went away for a moment: try again after a pause
                log.exception("event delivery failed; retrying")
                handled = 0
            if handled < BATCH:
                await wakeup.wait()
