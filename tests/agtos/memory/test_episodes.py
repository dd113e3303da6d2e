"""Episodes: stored with their vector and provenance once, announced on the event bus."""
from __future__ import annotations

import numpy as np

from agentdeck.agtos.memory import embedding, episodes
from agentdeck.eventbus.outbox import Event
from agentdeck.storage.models.agtos_memory import Episode


def test_an_episode_is_stored_once_with_its_vector_and_announced(db):
    ref = {"sessionId": "s1", "messageIds": [1, 2]}
    first, created = episodes.store(summary="Planned a hiking trip to the Alps", keywords=["hiking", "alps"],
                                    topic="travel", source_kind="chat", source_ref=ref)
    again, created_again = episodes.store(summary="different words", source_kind="chat", source_ref=ref)
    assert created and not created_again and again.id == first.id
    row = Episode.get_by_id(first.id)
    vector = embedding.unpack(row.embedding)
    assert vector.dtype == np.float32 and vector.shape == (256,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
    assert row.embedding_model == "local:wordllama-l2_supercat-256"
    events = [e.payload for e in Event.select().where(Event.topic == "memory.episode.created")]
    assert events == [{"episodeId": first.id}]


def test_embed_and_cosine_rank_meaning_above_unrelated_text(db):
    trip, walk, tax = embedding.embed(["a trip to the alps", "walking holiday in the mountains",
                                       "filing the tax return paperwork"])
    assert embedding.cosine(trip, walk) > embedding.cosine(trip, tax)
    assert embedding.cosine([0.0, 0.0], [1.0, 0.0]) == 0.0
