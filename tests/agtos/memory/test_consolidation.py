"""Conversations become episodes: what leaves chat's working memory (the conversation expiring,
or a trim) is summarised by the maintenance slot's model into one episode with its provenance,
once, through the event bus; without a usable answer the episode is still kept."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from agentdeck.agtos.chat import memory
from agentdeck.agtos.memory.consolidation import episode_fields
from agentdeck.storage.models.agtos_chat import ChatSession
from agentdeck.storage.models.agtos_memory import Episode
from agentdeck.timeutil import utcnow

SUMMARY = {"summary": "The user, Alex, planned a trip to Lisbon in May.", "keywords": ["lisbon", "trip"],
           "topic": "travel", "importance": 0.8, "type": "task"}


@pytest.fixture
def summariser(maintenance_on_fake_openai):
    """The maintenance slot on the fake upstream: the conversation summariser."""
    return maintenance_on_fake_openai


def _episodes(timeout=20.0, count=1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(Episode.select().where(Episode.source_kind == "chat"))
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError("no chat episode was stored")


def test_an_expired_conversation_becomes_one_episode_with_its_provenance(client, summariser):
    summariser.reply(json.dumps(SUMMARY))
    for text in ("My name is Alex", "I am planning a trip to Lisbon in May"):
        assert client.post("/agtos/api/chat", json={"text": text, "sessionId": "trip"}).status_code == 200
    ChatSession.update(expires_at=utcnow() - timedelta(seconds=1)).where(ChatSession.id == "trip").execute()
    assert memory.purge_expired() == 1

    [episode] = _episodes()
    assert episode.summary == SUMMARY["summary"] and episode.topic == "travel" and episode.type == "task"
    assert episode.keywords == ["lisbon", "trip"] and episode.importance == 0.8
    assert episode.source_ref["sessionId"] == "trip" and len(episode.source_ref["messageIds"]) == 4
    assert episode.source_ref["fromTimestamp"] <= episode.source_ref["toTimestamp"]
    asked = summariser.requests[0].json
    assert asked["model"] == "gpt-fake" and "Lisbon" in asked["messages"][-1]["content"]
    # found by meaning through memory search, with where it came from
    hits = client.get("/agtos/api/memory/search", params={"q": "holiday in Portugal"}).json()["episodes"]
    assert hits and hits[0]["id"] == episode.id
    assert hits[0]["source"] == {"kind": "chat", **episode.source_ref}


def test_a_trim_hands_the_dropped_messages_to_memory(client, summariser):
    summariser.reply(json.dumps(SUMMARY))
    for n in range(16):  # 32 messages: past the 30 kept, the oldest turn is dropped
        memory.remember_turn("long", (f"question {n}", 1_700_000_000_000 + 2 * n),
                             (f"answer {n}", 1_700_000_000_001 + 2 * n), ttl_seconds=3600)
    [episode] = _episodes()
    assert episode.source_ref["sessionId"] == "long"
    assert episode.source_ref["fromTimestamp"] == 1_700_000_000_000
    kept = memory.recall("long")
    assert kept[0]["timestamp"] > episode.source_ref["toTimestamp"]  # nothing both kept and consolidated


def test_without_a_usable_answer_the_first_question_and_last_answer_are_kept():
    fields = episode_fields(None, [{"role": "user", "content": "Where is my passport?"},
                                   {"role": "assistant", "content": "In the drawer."}])
    assert fields["summary"] == "Where is my passport? / In the drawer."
    assert fields["type"] == "conversation" and fields["importance"] == 0.5
    odd = episode_fields({"summary": " ", "keywords": "x", "importance": True, "type": "poem"},
                         [{"role": "user", "content": "hi"}])
    assert odd["summary"] == "hi" and odd["keywords"] == [] and odd["importance"] == 0.5
