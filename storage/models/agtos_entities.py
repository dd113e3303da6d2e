"""Models of agtOS's entity memory and of its maintenance reports.

An entity (a person, place, organization, event or thing) is drawn from episodes by the model;
each episode that mentions it is an ``EntityMention``. A ``Relationship`` is a fact between two
entities that held from ``valid_from_ms`` until ``valid_to_ms`` (open while it still holds); a
later fact that replaces it closes it and names itself in ``superseded_by`` instead of erasing
it. Deleting or merging an entity only marks it (``deleted_at``, ``merged_into``).

Episode and conclusion ids are plain strings here: those records belong to the memory models
(``agtos_memory``), and an entity's links outlive an episode's deletion until the sweep flags it.
"""
from __future__ import annotations

import secrets

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.timeutil import utcnow

ENTITY_TYPES = ("person", "place", "organization", "event", "thing")


def new_entity_id() -> str:
    """``ent-`` and 16 hex digits."""
    return f"ent-{secrets.token_hex(8)}"


def new_relationship_id() -> str:
    """``rel-`` and 16 hex digits."""
    return f"rel-{secrets.token_hex(8)}"


class Entity(BaseModel):
    """One entity; ``name_key`` is the lower-cased name that matching and search use."""

    id = peewee.CharField(max_length=24, primary_key=True, default=new_entity_id)
    name = peewee.CharField(max_length=200)
    name_key = peewee.CharField(max_length=200)
    type = peewee.CharField(max_length=16)
    aliases = JSONField(default=list)
    confidence = peewee.FloatField(default=0.5)
    episode_count = peewee.IntegerField(default=0)
    last_mentioned_ms = peewee.BigIntegerField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    deleted_at = peewee.DateTimeField(null=True)
    merged_into = peewee.CharField(max_length=24, null=True)

    class Meta:
        table_name = "agtos_entity"
        indexes = ((("type", "name_key"), False), (("name_key",), False))


class EntityMention(BaseModel):
    """An episode that mentions an entity, with the episode's time (Unix ms)."""

    id = peewee.AutoField()
    entity_id = peewee.CharField(max_length=24)
    episode_id = peewee.CharField(max_length=64)
    mentioned_at_ms = peewee.BigIntegerField()

    class Meta:
        table_name = "agtos_entity_mention"
        indexes = ((("entity_id", "episode_id"), True), (("episode_id",), False))


class Relationship(BaseModel):
    """``subject predicate object`` (entity ids), true from ``valid_from_ms`` to ``valid_to_ms``."""

    id = peewee.CharField(max_length=24, primary_key=True, default=new_relationship_id)
    subject_id = peewee.CharField(max_length=24)
    predicate = peewee.CharField(max_length=100)
    object_id = peewee.CharField(max_length=24)
    confidence = peewee.FloatField(default=0.5)
    valid_from_ms = peewee.BigIntegerField()
    valid_to_ms = peewee.BigIntegerField(null=True)
    superseded_by = peewee.CharField(max_length=24, null=True)
    episode_id = peewee.CharField(max_length=64, null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "agtos_entity_relationship"
        indexes = ((("subject_id", "predicate"), False), (("object_id",), False))


class MaintenanceReport(BaseModel):
    """One maintenance sweep's report, by its timestamp (Unix ms, unique), kept until ``expires_at``."""

    timestamp_ms = peewee.BigIntegerField(primary_key=True)
    trigger = peewee.CharField(max_length=16)  # "request" or "schedule"
    report = JSONField()
    expires_at = peewee.DateTimeField(index=True)

    class Meta:
        table_name = "agtos_memory_maintenance_report"


class MaintenanceSchedule(BaseModel):
    """The daily sweep's next due time; one row, claimed by a conditional update."""

    name = peewee.CharField(max_length=32, primary_key=True)
    next_due_at = peewee.DateTimeField(null=True)
    expression = peewee.CharField(max_length=100)

    class Meta:
        table_name = "agtos_memory_maintenance_schedule"


class ChatStreamInFlight(BaseModel):
    """A chat stream being answered, by any worker: what the maintenance guard counts.

    A row is removed when its stream ends; one left by a worker that died is not counted after
    ``started_at`` is an hour old.
    """

    id = peewee.CharField(max_length=36, primary_key=True)
    holder = peewee.CharField(max_length=200)
    started_at = peewee.DateTimeField(index=True)

    class Meta:
        table_name = "agtos_chat_stream_in_flight"


MODELS = [Entity, EntityMention, Relationship, MaintenanceReport, MaintenanceSchedule, ChatStreamInFlight]
