"""Episodes: stored, listed, soft-deleted; each store publishes ``memory.episode.created``.

The keyword index follows the episode in the same transaction: on SQLite a row of the FTS5 table
``agtos_memory_episode_fts``; on PostgreSQL the GIN expression index needs nothing written.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from agentdeck import eventbus
from agentdeck.agtos.memory import embedding, search
from agentdeck.storage.db import database, is_postgres, writing
from agentdeck.storage.models.agtos_memory import Episode
from agentdeck.timeutil import utcnow

EPISODE_CREATED = "memory.episode.created"


def source_key(source_kind: str, source_ref: dict) -> str:
    """A stable digest of an episode's provenance (unique: the same source is stored once)."""
    text = json.dumps([source_kind, source_ref], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def index_text(episode: Episode) -> str:
    """The text keyword search and the embedder see: summary, topic and keywords."""
    return " ".join(part for part in (episode.summary, episode.topic, " ".join(episode.keywords or [])) if part)


def store(*, summary: str, keywords: list[str] | None = None, topic: str = "", type: str = "conversation",
          importance: float = 0.5, created_at: datetime | None = None, source_kind: str,
          source_ref: dict) -> tuple[Episode, bool]:
    """Store an episode unless one with the same provenance exists; returns ``(episode, created)``.

    The summary is embedded before the transaction starts; the episode, its keyword-index row
    and the ``memory.episode.created`` event are committed together.
    """
    key = source_key(source_kind, source_ref)
    existing = Episode.get_or_none(Episode.source_key == key)
    if existing is not None:
        return existing, False
    episode = Episode(summary=summary, keywords=list(keywords or []), topic=topic or "", type=type or "conversation",
                      importance=min(1.0, max(0.0, float(importance))), created_at=created_at or utcnow(),
                      source_kind=source_kind, source_ref=source_ref, source_key=key)
    vector = embedding.embed_matrix([index_text(episode)])[0]
    episode.embedding = embedding.pack(vector)
    episode.embedding_model = embedding.model_name()
    with writing():
        if Episode.get_or_none(Episode.source_key == key) is not None:
            return Episode.get(Episode.source_key == key), False
        episode.save(force_insert=True)
        if not is_postgres():
            database.execute_sql("INSERT INTO agtos_memory_episode_fts (episode_id, body) VALUES (?, ?)",
                                 (episode.id, index_text(episode)))
        eventbus.publish(EPISODE_CREATED, {"episodeId": episode.id}, key=episode.id)
    search.episodes_changed()
    return episode, True


def live():
    """The query of episodes not deleted."""
    return Episode.select().where(Episode.deleted_at.is_null())


def recent(limit: int) -> list[Episode]:
    """The newest ``limit`` live episodes."""
    return list(live().order_by(Episode.created_at.desc(), Episode.id).limit(limit))


def soft_delete(episode_id: str) -> bool:
    """Mark an episode deleted (its keyword row goes; the row stays for provenance)."""
    with writing():
        changed = (Episode.update(deleted_at=utcnow())
                   .where(Episode.id == episode_id, Episode.deleted_at.is_null()).execute())
        if changed and not is_postgres():
            database.execute_sql("DELETE FROM agtos_memory_episode_fts WHERE episode_id = ?", (episode_id,))
    search.episodes_changed()
    return bool(changed)
