"""Event bus tables: the outbox of published events, the named subscribers, and one delivery
row per event and subscriber, claimed by whichever worker delivers it."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.timeutil import utcnow


class Event(BaseModel):
    """One published event. ``key`` says what the event is about (a task id, a machine id)."""

    id = peewee.BigAutoField()
    topic = peewee.CharField(max_length=200)
    key = peewee.CharField(max_length=200, null=True)
    payload = JSONField()
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "eventbus_event"
        indexes = ((("topic", "key"), False),)


class Subscriber(BaseModel):
    """A named subscriber: events whose topic matches ``topic_pattern`` get a delivery row for it."""

    name = peewee.CharField(max_length=200, primary_key=True)
    topic_pattern = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "eventbus_subscriber"


class EventDelivery(BaseModel):
    """One event owed to one subscriber.

    ``status`` is ``pending``, ``done`` or ``failed`` (attempts exhausted). A pending row whose
    ``claimed_until`` is unset or past may be claimed; a claim sets it, and a failed attempt
    sets it to when the next attempt is due.
    """

    subscriber = peewee.CharField(max_length=200)
    event_id = peewee.BigIntegerField()
    status = peewee.CharField(max_length=16, default="pending")
    attempts = peewee.IntegerField(default=0)
    claimed_until = peewee.DateTimeField(null=True)
    claimed_by = peewee.CharField(max_length=200, null=True)
    last_error = peewee.TextField(null=True)
    delivered_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "eventbus_delivery"
        primary_key = peewee.CompositeKey("subscriber", "event_id")
        indexes = ((("status", "subscriber", "event_id"), False), (("event_id",), False))


MODELS = [Event, Subscriber, EventDelivery]
