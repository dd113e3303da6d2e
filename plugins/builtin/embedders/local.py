"""The built-in local embedder: WordLlama's 256-dimension static model (weights in its package).

A static model: a text's vector is the pooled vectors of its tokens, so embedding needs numpy
and a tokenizer only, no torch, and nothing is downloaded when it runs (the package ships the
weights and the tokenizer). The package's own loader looks for the tokenizer under a folder name
its wheel does not use and then downloads; this loads the shipped files directly instead.
"""
from __future__ import annotations

import threading
from pathlib import Path

from agentdeck import hookimpl

_CONFIG = "l2_supercat"
_DIM = 256


class LocalEmbedder:
    """Embeds with the WordLlama model shipped in the ``wordllama`` package."""

    name = "local"
    model = f"wordllama-{_CONFIG}-{_DIM}"
    dimensions = _DIM

    def __init__(self):
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                import wordllama
                from safetensors import safe_open
                from tokenizers import Tokenizer
                from wordllama.inference import WordLlamaInference

                root = Path(wordllama.__file__).parent
                tokenizer = Tokenizer.from_file(str(root / "tokenizers" / f"{_CONFIG}_tokenizer_config.json"))
                with safe_open(str(root / "weights" / f"{_CONFIG}_{_DIM}.safetensors"), framework="np",
                               device="cpu") as f:
                    weights = f.get_tensor("embedding.weight")
                self._model = WordLlamaInference(weights, tokenizer, binary=False)
            return self._model

    def embed(self, texts: list[str]):
        """A float32 matrix, one row per text."""
        return self._load().embed(texts)


@hookimpl
def register_embedders(register):
    register(LocalEmbedder)
