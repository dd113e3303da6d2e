"""Entity extraction: the model's answer read and stored, idempotently; and every stored episode
read for entities through the event bus, by the maintenance slot's model."""
import json
import time

import pytest

from agentdeck.agtos.entities.extraction import extract_episode, parse_extraction
from agentdeck.agtos.memory import episodes
from agentdeck.router import get_router
from agentdeck.storage.models.agtos_entities import Entity, EntityMention, Relationship

ANSWER = json.dumps({
    "entities": [{"name": "Alice", "type": "person", "aliases": ["Alice Smith"], "confidence": 0.9},
                 {"name": "Acme Corp", "type": "organization", "confidence": 0.8},
                 {"name": "Nowhere", "type": "planet"}],
    "relationships": [{"subject": "Alice Smith", "predicate": "Works at", "object": "Acme Corp", "confidence": 0.7},
                      {"subject": "Alice", "predicate": "knows", "object": "Bob"}]})


@pytest.fixture
def extractor(maintenance_on_fake_openai):
    """The maintenance slot on the fake upstream: the entity extractor."""
    return maintenance_on_fake_openai


def test_the_answer_is_read_with_prose_around_it_and_bad_items_dropped():
    entities, rels = parse_extraction("Here you go:\n" + ANSWER + "\nDone.")
    assert [e["name"] for e in entities] == ["Alice", "Acme Corp"]
    assert len(rels) == 2
    assert parse_extraction("no JSON here") == ([], [])
    assert parse_extraction('{"entities": "Alice"}') == ([], [])


async def test_an_episode_extracted_twice_is_stored_once(client, extractor):
    extractor.reply(ANSWER)
    extractor.reply(ANSWER)
    episode = {"id": "ep-1", "summary": "Talked with Alice Smith about her job at Acme", "topic": "work",
               "keywords": ["alice", "acme"], "timestamp": 1_700_000_000_000}
    router = get_router()
    try:
        assert await extract_episode(episode, router) == {"entities": 2, "relationships": 1}
        await extract_episode(episode, router)
    finally:
        await router.pool.aclose()
    assert Entity.select().count() == 2 and EntityMention.select().count() == 2
    rel = Relationship.get()
    assert rel.predicate == "works-at" and rel.valid_from_ms == 1_700_000_000_000 and rel.episode_id == "ep-1"
    sent = extractor.requests[0].json
    assert sent["model"] == "gpt-fake" and "Alice Smith" in sent["messages"][-1]["content"]


def test_a_stored_episode_is_read_for_entities_through_the_event_bus(client, extractor):
    extractor.reply(ANSWER)
    episode, created = episodes.store(summary="Talked with Alice Smith about her job at Acme", topic="work",
                                      source_kind="test", source_ref={"n": 1})
    assert created
    for _ in range(100):
        listed = client.get("/agtos/api/entities?q=alice").json()
        if listed["count"]:
            break
        time.sleep(0.1)
    assert listed["entities"][0]["name"] == "Alice" and listed["entities"][0]["episodeCount"] == 1
    entity_id = listed["entities"][0]["id"]
    found = client.get(f"/agtos/api/entities/{entity_id}/episodes").json()
    assert found["episodes"] == [{"id": episode.id, "summary": episode.summary,
                                  "timestamp": found["episodes"][0]["timestamp"]}]
    assert found["episodes"][0]["timestamp"] > 0
