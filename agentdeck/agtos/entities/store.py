"""The entity operations: list and search, counts by type, get, update, soft delete, and the
episodes, conclusions and relationships of one entity."""
from __future__ import annotations

from agentdeck.agtos.entities import memory_records
from agentdeck.errors import InvalidInput, NotFound
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.agtos_entities import ENTITY_TYPES, Entity, EntityMention, Relationship
from agentdeck.timeutil import utcnow

MAX_ALIASES = 50


class EntityNotFound(NotFound):
    """No live entity has this id (404 ``Entity not found``)."""

    def __init__(self):
        super().__init__("Entity not found")


def entity_view(entity: Entity) -> dict:
    """The reference's entity: ``{id, name, type, aliases, confidence, episodeCount, lastMentioned}``."""
    return {"id": entity.id, "name": entity.name, "type": entity.type, "aliases": list(entity.aliases or []),
            "confidence": entity.confidence, "episodeCount": entity.episode_count,
            "lastMentioned": entity.last_mentioned_ms}


def live_entity(entity_id: str) -> Entity:
    """The entity ``entity_id`` unless deleted or merged away; raises ``EntityNotFound``."""
    entity = Entity.get_or_none((Entity.id == entity_id) & Entity.deleted_at.is_null())
    if entity is None:
        raise EntityNotFound()
    return entity


@gives_back_connection
def list_entities(q: str | None = None, type: str | None = None, limit: int = 20) -> dict:
    """Live entities, most recently mentioned first; ``q`` matches a part of the name or of an
    alias (any case), ``type`` one of ``ENTITY_TYPES``."""
    query = Entity.select().where(Entity.deleted_at.is_null())
    if type:
        query = query.where(Entity.type == type)
    query = query.order_by(Entity.last_mentioned_ms.desc(nulls="LAST"), Entity.name_key)
    if q:
        needle = q.strip().lower()
        matches = [e for e in query if needle in e.name_key
                   or any(needle in alias.lower() for alias in e.aliases or [])][:limit]
    else:
        matches = list(query.limit(limit))
    return {"entities": [entity_view(e) for e in matches], "count": len(matches)}


@gives_back_connection
def entity_stats() -> dict:
    """``{stats: {type: count, ...every type}, total}`` over live entities."""
    stats = dict.fromkeys(ENTITY_TYPES, 0)
    for entity in Entity.select(Entity.type).where(Entity.deleted_at.is_null()):
        stats[entity.type] = stats.get(entity.type, 0) + 1
    return {"stats": stats, "total": sum(stats.values())}


@gives_back_connection
def get_entity(entity_id: str) -> dict:
    """``{entity}``; raises ``EntityNotFound``."""
    return {"entity": entity_view(live_entity(entity_id))}


def checked_aliases(aliases: list[str], name: str) -> list[str]:
    """Aliases trimmed, without blanks, the name itself or repeats (any case); at most 50."""
    seen, kept = {name.strip().lower()}, []
    for alias in aliases:
        cleaned = alias.strip()
        if cleaned and cleaned.lower() not in seen:
            seen.add(cleaned.lower())
            kept.append(cleaned)
    if len(kept) > MAX_ALIASES:
        raise InvalidInput(f"An entity has at most {MAX_ALIASES} aliases")
    return kept


@gives_back_connection
def update_entity(entity_id: str, changes: dict) -> dict:
    """Change ``name``, ``aliases`` and/or ``confidence``; returns ``{entity}``. A blank name is
    ``InvalidInput``; a missing entity ``EntityNotFound``."""
    with writing():
        entity = live_entity(entity_id)
        if "name" in changes:
            name = changes["name"].strip()
            if not name:
                raise InvalidInput("Field name must not be blank")
            entity.name, entity.name_key = name, name.lower()
        aliases = changes.get("aliases", entity.aliases or [])
        entity.aliases = checked_aliases(aliases, entity.name)
        if "confidence" in changes:
            entity.confidence = float(changes["confidence"])
        entity.updated_at = utcnow()
        entity.save()
    return {"entity": entity_view(entity)}


@gives_back_connection
def delete_entity(entity_id: str) -> dict:
    """Mark the entity deleted (it and its links stay stored); ``{deleted: true, entityId}``."""
    with writing():
        entity = live_entity(entity_id)
        entity.deleted_at = utcnow()
        entity.save()
    return {"deleted": True, "entityId": entity_id}


@gives_back_connection
def entity_episodes(entity_id: str, limit: int = 20) -> dict:
    """The live episodes that mention the entity, newest first."""
    live_entity(entity_id)
    mentions = (EntityMention.select().where(EntityMention.entity_id == entity_id)
                .order_by(EntityMention.mentioned_at_ms.desc()))
    ids = [m.episode_id for m in mentions]
    episodes = memory_records.live_episodes(ids)
    listed = [episodes[i] for i in ids if i in episodes][:limit]
    return {"entityId": entity_id, "episodes": listed, "count": len(listed)}


@gives_back_connection
def entity_conclusions(entity_id: str) -> dict:
    """Live conclusions that cite an episode mentioning the entity or name it (or an alias)."""
    entity = live_entity(entity_id)
    episode_ids = {m.episode_id for m in EntityMention.select().where(EntityMention.entity_id == entity_id)}
    found = memory_records.conclusions_about(episode_ids, [entity.name, *(entity.aliases or [])])
    return {"entityId": entity_id, "conclusions": found, "count": len(found)}


def relationship_view(rel: Relationship, names: dict[str, str]) -> dict:
    """The reference's relationship plus when it held (``validFrom``, ``validTo``: null while it
    still holds) and what replaced it (``supersededBy``) and where it was read (``episodeId``)."""
    return {"id": rel.id, "subject": {"id": rel.subject_id, "name": names.get(rel.subject_id)},
            "predicate": rel.predicate, "object": {"id": rel.object_id, "name": names.get(rel.object_id)},
            "confidence": rel.confidence, "validFrom": rel.valid_from_ms, "validTo": rel.valid_to_ms,
            "supersededBy": rel.superseded_by, "episodeId": rel.episode_id}


@gives_back_connection
def entity_relationships(entity_id: str) -> dict:
    """Relationships with the entity as subject or object, the current ones first, then newest."""
    live_entity(entity_id)
    rels = list(Relationship.select().where((Relationship.subject_id == entity_id)
                                            | (Relationship.object_id == entity_id)))
    rels.sort(key=lambda r: (r.valid_to_ms is not None, -r.valid_from_ms))
    ids = {r.subject_id for r in rels} | {r.object_id for r in rels}
    names = {e.id: e.name for e in Entity.select(Entity.id, Entity.name).where(Entity.id.in_(list(ids)))} if ids else {}
    return {"entityId": entity_id, "relationships": [relationship_view(r, names) for r in rels],
            "count": len(rels)}
