"""Merging a duplicate entity into a primary one."""
from __future__ import annotations

from agentdeck.agtos.entities.store import checked_aliases, entity_view, live_entity
from agentdeck.errors import InvalidInput
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.agtos_entities import Entity, EntityMention, Relationship
from agentdeck.timeutil import utcnow


def refresh_mention_counts(entity: Entity) -> None:
    """Recount ``episode_count`` and ``last_mentioned_ms`` from the entity's mentions."""
    mentions = list(EntityMention.select().where(EntityMention.entity_id == entity.id))
    entity.episode_count = len(mentions)
    entity.last_mentioned_ms = max((m.mentioned_at_ms for m in mentions), default=None)


def _move_mentions(duplicate_id: str, primary_id: str) -> None:
    held = {m.episode_id for m in EntityMention.select().where(EntityMention.entity_id == primary_id)}
    for mention in EntityMention.select().where(EntityMention.entity_id == duplicate_id):
        if mention.episode_id in held:
            mention.delete_instance()
        else:
            EntityMention.update(entity_id=primary_id).where(EntityMention.id == mention.id).execute()


def _move_relationships(duplicate_id: str, primary_id: str) -> None:
    Relationship.update(subject_id=primary_id).where(Relationship.subject_id == duplicate_id).execute()
    Relationship.update(object_id=primary_id).where(Relationship.object_id == duplicate_id).execute()
    # A fact between the two is now one about the entity and itself: it said they were distinct.
    Relationship.delete().where((Relationship.subject_id == primary_id)
                                & (Relationship.object_id == primary_id)).execute()


@gives_back_connection
def merge_entities(primary_id: str, duplicate_id: str) -> dict:
    """Move the duplicate's episodes, relationships and names (its name and aliases become the
    primary's aliases) to the primary, mark the duplicate merged, and return ``{entity}``: the
    primary. Conclusions follow, since they are found through episodes and names. Merging an
    entity into itself is ``InvalidInput``; either one missing is ``EntityNotFound``."""
    if primary_id == duplicate_id:
        raise InvalidInput("Cannot merge an entity into itself")
    with writing():
        primary, duplicate = live_entity(primary_id), live_entity(duplicate_id)
        _move_mentions(duplicate.id, primary.id)
        _move_relationships(duplicate.id, primary.id)
        primary.aliases = checked_aliases([*(primary.aliases or []), duplicate.name, *(duplicate.aliases or [])][:50],
                                          primary.name)
        primary.confidence = max(primary.confidence, duplicate.confidence)
        refresh_mention_counts(primary)
        primary.updated_at = duplicate.deleted_at = utcnow()
        duplicate.merged_into = primary.id
        primary.save()
        duplicate.save()
    return {"entity": entity_view(primary)}


def forget_gone_episodes(live_episode_ids: set[str]) -> int:
    """Drop mentions of episodes no longer live and recount the entities they counted for (call
    inside ``writing()``; the maintenance sweep's dangling-source step). Returns mentions dropped."""
    gone = [m for m in EntityMention.select() if m.episode_id not in live_episode_ids]
    touched = {m.entity_id for m in gone}
    if gone:
        EntityMention.delete().where(EntityMention.id.in_([m.id for m in gone])).execute()
    for entity in Entity.select().where(Entity.id.in_(list(touched))) if touched else ():
        refresh_mention_counts(entity)
        entity.save()
    return len(gone)
