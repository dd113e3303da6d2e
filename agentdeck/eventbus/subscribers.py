"""Named in-process subscribers, and their records in the database.

A subscriber's name is its identity across workers and restarts: every worker that registers
``name`` may deliver that subscriber's events, and each event is delivered to it once per
deployment (at least once: a worker that dies mid-delivery leaves it to be claimed again).
"""
from __future__ import annotations

import inspect
import re
import threading
from dataclasses import dataclass
from typing import Callable

from agentdeck.errors import InvalidInput
from agentdeck.storage.db import writing
from agentdeck.storage.models.eventbus import EventDelivery, Subscriber

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$")


@dataclass(frozen=True)
class Subscription:
    """A handler for the events whose topic matches ``topic_pattern``, known as ``name``."""

    name: str
    topic_pattern: str
    handler: Callable

    @property
    def is_async(self) -> bool:
        """True when the handler is a coroutine function (awaited on the event loop)."""
        return inspect.iscoroutinefunction(self.handler) or inspect.iscoroutinefunction(
            getattr(self.handler, "__call__", None))


_lock = threading.Lock()
_local: dict[str, Subscription] = {}


def subscribe(topic_pattern: str, handler: Callable, *, name: str) -> Subscription:
    """Register ``handler(event)`` in this process for topics matching ``topic_pattern``.

    ``topic_pattern`` is a glob (``briefing.*``, ``*``). The subscriber is recorded in the
    database at once: events published from then on are owed to it, on every worker, even
    while no process runs it. Registering a name again replaces its handler and pattern.
    """
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidInput("a subscriber name is 1-200 letters, digits, _ . : or -, starting with a letter or digit")
    if not isinstance(topic_pattern, str) or not topic_pattern or len(topic_pattern) > 200:
        raise InvalidInput("a topic pattern is 1-200 characters")
    if not callable(handler):
        raise InvalidInput(f"subscriber {name!r}: the handler is not callable")
    subscription = Subscription(name, topic_pattern, handler)
    record_subscriber(subscription)
    with _lock:
        _local[name] = subscription
    return subscription


def record_subscriber(subscription: Subscription) -> None:
    """Create or update the subscriber's row (its pattern governs events published from now)."""
    with writing():
        updated = (Subscriber.update(topic_pattern=subscription.topic_pattern)
                   .where(Subscriber.name == subscription.name).execute())
        if not updated:
            Subscriber.insert(name=subscription.name, topic_pattern=subscription.topic_pattern
                              ).on_conflict_ignore().execute()


def unsubscribe(name: str, *, forget: bool = False) -> None:
    """Stop handling ``name`` in this process; with ``forget``, also drop its record and
    pending deliveries, so no events are kept for it any more (a subscriber retired for good)."""
    with _lock:
        _local.pop(name, None)
    if forget:
        with writing():
            EventDelivery.delete().where((EventDelivery.subscriber == name)
                                         & (EventDelivery.status == "pending")).execute()
            Subscriber.delete().where(Subscriber.name == name).execute()


def local_subscriptions() -> dict[str, Subscription]:
    """The subscriptions registered in this process, by name."""
    with _lock:
        return dict(_local)


def clear_local_subscriptions() -> None:
    """Forget every in-process subscription (tests; a reloaded plugin set)."""
    with _lock:
        _local.clear()
