"""Embedders come from the register_embedders hook; AGENTDECK_MEMORY_EMBEDDER picks one by name."""
from __future__ import annotations

import types

import numpy as np
import pytest

from agentdeck import hookimpl
from agentdeck.agtos.memory import embedding, episodes, search
from agentdeck.plugins.manager import get_plugin_manager
from agentdeck.settings import reset_settings


class CountingEmbedder:
    """Three dimensions: how many a, b and c letters a text has (not unit length on purpose)."""

    name = "letters"
    model = "letters-v1"

    def embed(self, texts):
        return [[text.count("a"), text.count("b"), text.count("c")] for text in texts]


def _plugin() -> types.ModuleType:
    module = types.ModuleType("letters_plugin")

    @hookimpl
    def register_embedders(register):
        register(CountingEmbedder)

    module.register_embedders = register_embedders
    return module


@pytest.fixture
def letters(monkeypatch, db):
    monkeypatch.setenv("AGENTDECK_MEMORY_EMBEDDER", "letters")
    reset_settings()
    get_plugin_manager().register(_plugin(), name="letters")
    embedding.reset()


def test_the_named_plugin_embedder_is_used_and_its_vectors_are_normalised(letters):
    matrix = embedding.embed_matrix(["aab", "ccc"])
    assert matrix.shape == (2, 3)
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(matrix[1], [0.0, 0.0, 1.0])
    assert embedding.model_name() == "letters:letters-v1"


def test_episodes_keep_the_plugin_model_name_and_recall_uses_its_vectors(letters):
    stored, created = episodes.store(summary="cccc", source_kind="import",
                                     source_ref={"importer": "test", "file": "f", "conversationId": "1"})
    episodes.store(summary="aaaa", source_kind="import",
                   source_ref={"importer": "test", "file": "f", "conversationId": "2"})
    assert created and stored.embedding_model == "letters:letters-v1"
    hits = search.search("cc", 1, "vector")
    assert [hit.episode_id for hit in hits] == [stored.id]


def test_an_unknown_embedder_name_is_refused_with_the_known_names(monkeypatch, db):
    monkeypatch.setenv("AGENTDECK_MEMORY_EMBEDDER", "nonesuch")
    reset_settings()
    with pytest.raises(embedding.EmbedderError, match="nonesuch.*local"):
        embedding.model_name()
