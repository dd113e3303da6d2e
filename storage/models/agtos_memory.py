"""agtOS memory models: episodes, conclusions and the user's profile.

An episode is one remembered conversation (or imported one), summarised; a conclusion is a fact
about the user drawn from episodes; the profile is one JSON document per deployment. Deleting an
episode or a conclusion sets ``deleted_at`` (soft delete): provenance stays answerable.

``Episode.embedding`` holds the summary's vector as little-endian float32 bytes
(``agentdeck.agtos.memory.embedding.pack``/``unpack``), made by ``embedding_model``.
"""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField, new_uuid
from agentdeck.timeutil import utcnow


class Episode(BaseModel):
    """One remembered conversation: summary, keywords, topic, type, importance (0..1).

    ``source_kind`` is ``chat`` (``source_ref``: ``{"sessionId", "messageIds"}``) or ``import``
    (``source_ref``: ``{"importer", "file", "conversationId"}``). ``source_key`` is a stable
    digest of the provenance, unique, so a re-import or a second consolidation skips what exists.
    """

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    summary = peewee.TextField()
    keywords = JSONField(default=list)
    topic = peewee.CharField(max_length=200, default="")
    type = peewee.CharField(max_length=32, default="conversation")
    importance = peewee.FloatField(default=0.5)
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    source_kind = peewee.CharField(max_length=16)
    source_ref = JSONField(default=dict)
    source_key = peewee.CharField(max_length=64, unique=True)
    embedding = peewee.BlobField(null=True)
    embedding_model = peewee.CharField(max_length=200, default="")
    deleted_at = peewee.DateTimeField(null=True, index=True)

    class Meta:
        table_name = "agtos_memory_episode"


class Conclusion(BaseModel):
    """A fact about the user: ``type`` explicit | inferred | corrected, ``confidence`` 0..1,
    ``sources`` the ids of the episodes it was drawn from."""

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    content = peewee.TextField()
    type = peewee.CharField(max_length=16)
    confidence = peewee.FloatField(default=0.5)
    sources = JSONField(default=list)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    deleted_at = peewee.DateTimeField(null=True, index=True)

    class Meta:
        table_name = "agtos_memory_conclusion"


class Profile(BaseModel):
    """The user's profile, one JSON document (``name`` is always ``user``)."""

    name = peewee.CharField(max_length=32, primary_key=True, default="user")
    document = JSONField(default=dict)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "agtos_memory_profile"


class ImportRecord(BaseModel):
    """One conversation an importer has stored, by importer and its own id (idempotent re-import)."""

    key = peewee.CharField(max_length=64, primary_key=True)
    importer = peewee.CharField(max_length=64)
    external_id = peewee.CharField(max_length=255)
    episode_id = peewee.CharField(max_length=36)
    imported_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "agtos_memory_import"


MODELS = [Episode, Conclusion, Profile, ImportRecord]
