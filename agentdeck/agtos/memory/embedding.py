"""Text to vectors, through the configured embedder.

Embedders are plugins registered through the ``register_embedders`` hook; the one used is named
by ``AGENTDECK_MEMORY_EMBEDDER`` (default ``local``: a static word-embedding model whose weights
ship inside a PyPI package, so nothing is fetched when it runs; see docs/adr).

Vectors are L2-normalised, so the cosine of two is their dot product. They are stored in
``Episode.embedding`` as little-endian float32 bytes (``pack``/``unpack``), beside the name of
the model that made them (``Episode.embedding_model``): vectors of another model are not compared.
"""
from __future__ import annotations

import math
import threading

import numpy as np

from agentdeck.settings import get_settings

_lock = threading.Lock()
_embedders: dict[str, object] = {}


class EmbedderError(RuntimeError):
    """The configured embedder is unknown or failed."""


def _embedder_classes() -> dict[str, type]:
    from agentdeck.plugins.manager import get_plugin_manager

    return get_plugin_manager().embedders()


def current():
    """The configured embedder instance (made once per process)."""
    name = get_settings().agtos_memory_embedder
    with _lock:
        found = _embedders.get(name)
        if found is None:
            classes = _embedder_classes()
            if name not in classes:
                raise EmbedderError(f"no embedder named {name!r} (known: {', '.join(sorted(classes))})")
            found = _embedders[name] = classes[name]()
        return found


def reset() -> None:
    """Forget made embedders (settings changed; tests)."""
    with _lock:
        _embedders.clear()


def model_name() -> str:
    """The name of the model the configured embedder uses (stored beside each vector)."""
    embedder = current()
    return f"{embedder.name}:{embedder.model}"


def embed(texts: list[str]) -> list[list[float]]:
    """One unit-length vector per text, from the configured embedder."""
    return [list(map(float, row)) for row in embed_matrix(texts)]


def embed_matrix(texts: list[str]) -> np.ndarray:
    """``embed`` as a float32 matrix, one normalised row per text."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    rows = np.asarray(current().embed(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return rows / norms


def cosine(a, b) -> float:
    """Cosine similarity of two vectors (0.0 when either is all zeros)."""
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return 0.0 if not na or not nb else dot / (na * nb)


def pack(vector) -> bytes:
    """A vector as the little-endian float32 bytes it is stored as."""
    return np.asarray(vector, dtype="<f4").tobytes()


def unpack(blob: bytes | None) -> np.ndarray | None:
    """Stored bytes back to a float32 vector (None for None)."""
    return None if blob is None else np.frombuffer(bytes(blob), dtype="<f4")
