"""Finding episodes: by words (full-text), by meaning (vectors) and both, fused by rank.

- Keyword: SQLite FTS5 (``bm25``) or PostgreSQL full text (``ts_rank`` over the GIN-indexed
  ``tsvector``); a query's words are OR-ed, so an episode matching some of them is found.
- Vector: exact search. The live episodes' vectors of the current model are held in one float32
  matrix per process and scored with one matrix-vector product; the matrix is rebuilt when this
  process stored or deleted an episode, or when the episodes' count or newest timestamp changed
  (looked at no more than once a second: another worker's new episode is found within a second).
  At the sizes measured (docs/bench/agtos.md) this is faster than an index would repay.
- Hybrid: reciprocal-rank fusion (k = 60) of both lists; ``score`` is the fused score scaled to
  0..1 (1 = first in both lists), ``matchType`` says which lists found it (``keyword``,
  ``semantic`` or ``hybrid``).

``memorySearchMode`` (agtOS settings) chooses ``hybrid`` (default), ``vector`` or ``bm25``.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import numpy as np
import peewee

from agentdeck.agtos.memory import embedding
from agentdeck.storage.db import database, is_postgres
from agentdeck.storage.models.agtos_memory import Episode

MODES = ("hybrid", "vector", "bm25")
RRF_K = 60
CANDIDATES = 50  # taken from each list before fusing
RECHECK_SECONDS = 1.0  # how stale the vector matrix may be for episodes another process wrote
_WORD = re.compile(r"\w+", re.UNICODE)
PG_TEXT = "(coalesce(summary,'') || ' ' || coalesce(keywords,'') || ' ' || coalesce(topic,''))"


@dataclass(frozen=True)
class Hit:
    """One found episode: its id, score (0..1) and which search found it."""

    episode_id: str
    score: float
    match_type: str


def search_mode() -> str:
    """The ``memorySearchMode`` setting (hybrid when unset or unknown)."""
    try:
        from agentdeck.agtos.settings import store
    except ImportError:  # the settings store is not installed
        return "hybrid"
    mode = store.get("memorySearchMode")
    return mode if mode in MODES else "hybrid"


_STOP = frozenset("""a an and are as at be but by do did does for from had has have how i in is it its
me my of on or our so than that the their them then there these they this to was we were what when
where which who why will with you your""".split())


def words(query: str) -> list[str]:
    """The query's words, lower-cased, without stop words (every word when all are), at most 32."""
    found = [w.lower() for w in _WORD.findall(query)]
    kept = [w for w in found if w not in _STOP] or found
    return list(dict.fromkeys(kept))[:32]


def keyword(query: str, limit: int = CANDIDATES) -> list[tuple[str, float]]:
    """``(episode id, relevance)`` by full-text rank, best first (relevance larger is better)."""
    terms = words(query)
    if not terms:
        return []
    if is_postgres():
        tsquery = " | ".join(terms)
        sql = (f"SELECT id, ts_rank(to_tsvector('english', {PG_TEXT}), to_tsquery('english', %s)) AS r "
               "FROM agtos_memory_episode WHERE deleted_at IS NULL AND "
               f"to_tsvector('english', {PG_TEXT}) @@ to_tsquery('english', %s) ORDER BY r DESC, id LIMIT %s")
        rows = database.execute_sql(sql, (tsquery, tsquery, limit)).fetchall()
        return [(row[0], float(row[1])) for row in rows]
    match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    rows = database.execute_sql(
        "SELECT episode_id, bm25(agtos_memory_episode_fts) AS r FROM agtos_memory_episode_fts "
        "WHERE agtos_memory_episode_fts MATCH ? ORDER BY r LIMIT ?", (match, limit)).fetchall()
    return [(row[0], -float(row[1])) for row in rows]


class _VectorCache:
    """The live episodes' vectors of one model, as one matrix, rebuilt when episodes change."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stamp = None
        self.checked = 0.0
        self.generation = 0
        self.ids: list[str] = []
        self.matrix = np.zeros((0, 0), dtype=np.float32)

    def touch(self) -> None:
        with self.lock:
            self.generation += 1

    def current(self, model: str) -> tuple[list[str], np.ndarray]:
        with self.lock:
            if (self.stamp is not None and self.stamp[0] == model and self.stamp[3] == self.generation
                    and time.monotonic() - self.checked < RECHECK_SECONDS):
                return self.ids, self.matrix  # nothing changed here; other workers' writes are re-read each second
        # COUNT(*) and the live index (migration 0028): answered from the index alone.
        count, newest = (Episode.select(peewee.fn.COUNT(peewee.SQL("*")), peewee.fn.MAX(Episode.created_at))
                         .where(Episode.deleted_at.is_null(), Episode.embedding_model == model).scalar(as_tuple=True))
        stamp = (model, count, str(newest), self.generation)
        with self.lock:
            if stamp != self.stamp:
                rows = (Episode.select(Episode.id, Episode.embedding)
                        .where(Episode.deleted_at.is_null(), Episode.embedding_model == model,
                               Episode.embedding.is_null(False)).tuples())
                ids, blobs = [], []
                for episode_id, blob in rows:
                    ids.append(episode_id)
                    blobs.append(bytes(blob))
                self.ids = ids
                self.matrix = (np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(ids), -1)
                               if ids else np.zeros((0, 0), dtype=np.float32))
                self.stamp = stamp
            self.checked = time.monotonic()
            return self.ids, self.matrix


_cache = _VectorCache()


def episodes_changed() -> None:
    """Tell this process's vector cache that an episode was stored or deleted."""
    _cache.touch()


def vector(query: str, limit: int = CANDIDATES) -> list[tuple[str, float]]:
    """``(episode id, cosine)`` by similarity to the query's vector, best first."""
    ids, matrix = _cache.current(embedding.model_name())
    if not ids:
        return []
    q = embedding.embed_matrix([query])[0]
    scores = matrix @ q
    top = min(limit, len(ids))
    best = np.argpartition(-scores, top - 1)[:top]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(ids[i], float(scores[i])) for i in best]


def search(query: str, limit: int = 10, mode: str | None = None) -> list[Hit]:
    """The best ``limit`` episodes for ``query`` in ``mode`` (default: the setting)."""
    mode = mode or search_mode()
    if mode == "bm25":
        found = keyword(query, limit)
        top = found[0][1] if found and found[0][1] > 0 else 1.0
        return [Hit(i, max(0.0, min(1.0, r / top)), "keyword") for i, r in found]
    if mode == "vector":
        return [Hit(i, max(0.0, min(1.0, s)), "semantic") for i, s in vector(query, limit)]
    fused: dict[str, float] = {}
    seen: dict[str, set[str]] = {}
    for kind, found in (("keyword", keyword(query)), ("semantic", vector(query))):
        for rank, (episode_id, _) in enumerate(found):
            fused[episode_id] = fused.get(episode_id, 0.0) + 1.0 / (RRF_K + rank + 1)
            seen.setdefault(episode_id, set()).add(kind)
    best = sorted(fused, key=lambda i: (-fused[i], i))[:limit]
    full = 2.0 / (RRF_K + 1)
    return [Hit(i, round(fused[i] / full, 6), "hybrid" if len(seen[i]) == 2 else next(iter(seen[i])))
            for i in best]
