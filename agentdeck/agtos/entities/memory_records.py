"""Reads of the memory records (episodes, conclusions) that entities point at.

Those records are the memory models' (``agentdeck.storage.models.agtos_memory``); until they are
installed an entity has no episodes or conclusions to show, rather than failing.
"""
from __future__ import annotations

import importlib
import re


def memory_models():
    """``(Episode, Conclusion)``, or ``(None, None)`` when the memory models are not installed."""
    try:
        module = importlib.import_module("agentdeck.storage.models.agtos_memory")
    except ImportError:
        return None, None
    return getattr(module, "Episode", None), getattr(module, "Conclusion", None)


def _ms(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    from calendar import timegm
    return timegm(value.utctimetuple()) * 1000 + value.microsecond // 1000


def live_episodes(episode_ids: list[str]) -> dict[str, dict]:
    """``{id: {id, summary, timestamp}}`` of the episodes among ``episode_ids`` not deleted."""
    episode, _ = memory_models()
    if episode is None or not episode_ids:
        return {}
    rows = episode.select().where(episode.id.in_(episode_ids) & episode.deleted_at.is_null())
    return {str(r.id): {"id": str(r.id), "summary": r.summary, "timestamp": _ms(r.created_at)} for r in rows}


def episode_for_extraction(episode_id: str) -> dict | None:
    """``{id, summary, keywords, topic, timestamp}`` of a live episode, or None."""
    episode, _ = memory_models()
    if episode is None:
        return None
    row = episode.get_or_none((episode.id == episode_id) & episode.deleted_at.is_null())
    if row is None:
        return None
    return {"id": str(row.id), "summary": row.summary, "keywords": row.keywords or [],
            "topic": row.topic, "timestamp": _ms(row.created_at)}


def conclusions_about(episode_ids: set[str], names: list[str]) -> list[dict]:
    """Live conclusions citing one of ``episode_ids`` or naming one of ``names`` (whole words,
    any case), highest confidence first, as ``{id, text, type, confidence}``."""
    _, conclusion = memory_models()
    if conclusion is None:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names if n) + r")\b", re.IGNORECASE) if names else None
    found = []
    for row in conclusion.select().where(conclusion.deleted_at.is_null()):
        cites = bool(episode_ids.intersection(str(s) for s in (row.sources or [])))
        if cites or (pattern is not None and pattern.search(row.content or "")):
            found.append({"id": str(row.id), "text": row.content, "type": row.type,
                          "confidence": row.confidence})
    return sorted(found, key=lambda c: -(c["confidence"] or 0))
