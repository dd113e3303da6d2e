"""Publishing into the outbox, and pruning what every subscriber has handled."""
from __future__ import annotations

import fnmatch
from datetime import timedelta

from agentdeck.errors import InvalidInput
from agentdeck.eventbus import metrics, wakeups
from agentdeck.storage.db import writing
from agentdeck.storage.models.eventbus import Event, EventDelivery, Subscriber
from agentdeck.timeutil import utcnow

CHANNEL = "agentdeck_events"
KEEP_SECONDS = 3600.0
MAX_TOPIC = 200


def check_topic(topic: str) -> str:
    """``topic`` if it is a usable topic (1-200 characters, no ``*`` or ``?``); else InvalidInput."""
    if not isinstance(topic, str) or not topic.strip() or len(topic) > MAX_TOPIC or set(topic) & set("*?[]"):
        raise InvalidInput(f"an event topic is 1-{MAX_TOPIC} characters without *, ?, [ or ]")
    return topic


def topic_matches(pattern: str, topic: str) -> bool:
    """True when ``topic`` matches the glob ``pattern`` (``*`` any run of characters, ``?`` one)."""
    return fnmatch.fnmatchcase(topic, pattern)


def publish(topic: str, payload: dict | None = None, *, key: str | None = None) -> int:
    """Record an event and one delivery per subscriber whose pattern matches; returns its id.

    Runs inside the caller's transaction when there is one (so the event exists exactly when
    what it reports was committed), else in its own. Subscribers on every worker are woken when
    it commits.
    """
    check_topic(topic)
    with writing():
        event = Event.create(topic=topic, key=key, payload={} if payload is None else payload)
        names = [name for name, pattern in Subscriber.select(Subscriber.name, Subscriber.topic_pattern).tuples()
                 if topic_matches(pattern, topic)]
        if names:
            EventDelivery.insert_many([{"subscriber": name, "event_id": event.id} for name in names]).execute()
            wakeups.notify(CHANNEL, topic)
    metrics.PUBLISHED.inc()
    return event.id


def prune_delivered_events(keep_seconds: float = KEEP_SECONDS) -> int:
    """Sweep: drop events older than ``keep_seconds`` that no subscriber still has pending, with
    their delivery rows; returns how many events went. Failed deliveries count as handled."""
    cutoff = utcnow() - timedelta(seconds=keep_seconds)
    pending = EventDelivery.select(EventDelivery.event_id).where(EventDelivery.status == "pending")
    with writing():
        old = [row[0] for row in Event.select(Event.id)
               .where((Event.created_at < cutoff) & ~(Event.id << pending)).limit(5000).tuples()]
        if old:
            EventDelivery.delete().where(EventDelivery.event_id << old).execute()
            Event.delete().where(Event.id << old).execute()
    metrics.PRUNED.inc(len(old))
    return len(old)
