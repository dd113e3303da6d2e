"""Entities and relationships drawn from an episode by the model (the router's ``maintenance`` slot).

The model is asked for JSON ``{"entities": [{name, type, aliases?, confidence?}],
"relationships": [{subject, predicate, object, confidence?, exclusive?}]}``. Entities are matched
to stored ones by name or alias (any case) and type; each gets the episode as a mention.
Relationships whose subject or object is not among the entities are dropped. Extraction is
idempotent: an episode extracted again adds no second mention or fact.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re

from agentdeck.agtos.entities import memory_records
from agentdeck.agtos.entities.merging import refresh_mention_counts
from agentdeck.agtos.entities.relationships import record_relationship
from agentdeck.agtos.entities.store import checked_aliases
from agentdeck.router import get_router
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.agtos_entities import ENTITY_TYPES, Entity, EntityMention
from agentdeck.timeutil import utcnow

log = logging.getLogger(__name__)
SLOT = "maintenance"
PROMPT = ("Extract the people, places, organizations, events and things this memory mentions, and the "
          "facts between them. Answer with JSON only: {\"entities\": [{\"name\", \"type\" (person|place|"
          "organization|event|thing), \"aliases\": [], \"confidence\": 0-1}], \"relationships\": "
          "[{\"subject\", \"predicate\" (kebab-case, e.g. works-at), \"object\", \"confidence\": 0-1, "
          "\"exclusive\": true when the subject has one such object at a time}]}.")
_JSON = re.compile(r"\{.*\}", re.DOTALL)


def parse_extraction(text: str) -> tuple[list[dict], list[dict]]:
    """The checked entities and relationships of the model's answer; ``([], [])`` when it is not
    the JSON asked for (the first ``{...}`` in the text is read, so prose around it is fine)."""
    match = _JSON.search(text or "")
    try:
        data = json.loads(match.group(0)) if match else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        return [], []
    entities = [e for e in data.get("entities") or [] if isinstance(e, dict)
                and isinstance(e.get("name"), str) and e["name"].strip() and e.get("type") in ENTITY_TYPES]
    rels = [r for r in data.get("relationships") or [] if isinstance(r, dict)
            and all(isinstance(r.get(k), str) and r[k].strip() for k in ("subject", "predicate", "object"))]
    return entities, rels


def _confidence(value, default: float = 0.5) -> float:
    return min(1.0, max(0.0, float(value))) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _matching_entity(name: str, type_: str) -> Entity | None:
    key = name.strip().lower()
    candidates = Entity.select().where(Entity.deleted_at.is_null() & (Entity.type == type_))
    exact = candidates.where(Entity.name_key == key).first()
    if exact is not None:
        return exact
    return next((e for e in candidates if key in {a.lower() for a in e.aliases or []}), None)


def _upsert_entity(found: dict, episode: dict) -> Entity:
    name = found["name"].strip()[:200]
    entity = _matching_entity(name, found["type"])
    aliases = [a for a in found.get("aliases") or [] if isinstance(a, str)]
    if entity is None:
        entity = Entity.create(name=name, name_key=name.lower(), type=found["type"],
                               aliases=[], confidence=_confidence(found.get("confidence")))
    entity.aliases = checked_aliases([*(entity.aliases or []), *aliases][:50], entity.name)
    entity.confidence = max(entity.confidence, _confidence(found.get("confidence")))
    if EntityMention.get_or_none((EntityMention.entity_id == entity.id)
                                 & (EntityMention.episode_id == episode["id"])) is None:
        EntityMention.create(entity_id=entity.id, episode_id=episode["id"],
                             mentioned_at_ms=episode["timestamp"] or 0)
    refresh_mention_counts(entity)
    entity.updated_at = utcnow()
    entity.save()
    return entity


@gives_back_connection
def store_extraction(episode: dict, entities: list[dict], rels: list[dict]) -> dict:
    """Store what was drawn from ``episode``; returns ``{entities, relationships}`` counts."""
    with writing():
        by_name: dict[str, Entity] = {}
        for found in entities:
            entity = _upsert_entity(found, episode)
            for name in (found["name"], *(found.get("aliases") or [])):
                if isinstance(name, str):
                    by_name[name.strip().lower()] = entity
        stored = 0
        for rel in rels:
            subject, obj = by_name.get(rel["subject"].strip().lower()), by_name.get(rel["object"].strip().lower())
            if subject is None or obj is None or subject.id == obj.id:
                continue
            record_relationship(subject.id, rel["predicate"], obj.id, confidence=_confidence(rel.get("confidence")),
                                valid_from_ms=episode["timestamp"] or 0, episode_id=episode["id"],
                                exclusive=rel.get("exclusive") is True)
            stored += 1
    return {"entities": len({e.id for e in by_name.values()}), "relationships": stored}


def _prompt(episode: dict) -> list[dict]:
    memory = {"summary": episode["summary"], "topic": episode.get("topic"), "keywords": episode.get("keywords")}
    return [{"role": "system", "content": PROMPT}, {"role": "user", "content": json.dumps(memory)}]


async def extract_from_episode(episode_id: str, router=None) -> dict | None:
    """Ask the ``maintenance`` slot for the episode's entities and store them; None when the
    episode does not exist (deleted, or not yet visible). Provider failures propagate, so the
    event bus tries again later."""
    episode = await asyncio.to_thread(gives_back_connection(memory_records.episode_for_extraction), episode_id)
    if episode is None:
        return None
    return await extract_episode(episode, router)


async def extract_episode(episode: dict, router=None) -> dict:
    """Ask the model about ``episode`` (``{id, summary, topic, keywords, timestamp}``) and store
    what it names; returns the counts of ``store_extraction``."""
    routed = await (router or get_router()).complete(SLOT, _prompt(episode), options={"temperature": 0})
    entities, rels = parse_extraction(routed.completion.text)
    if not entities:
        log.info("no entities drawn from episode %s", episode["id"])
    return await asyncio.to_thread(store_extraction, episode, entities, rels)
