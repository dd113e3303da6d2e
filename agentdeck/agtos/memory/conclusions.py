"""Conclusions: facts about the user drawn from episodes, each naming the episodes it rests on.

``type`` is ``explicit`` (the user said it), ``inferred`` (drawn from what they said) or
``corrected`` (replaces an earlier conclusion the user corrected); ``confidence`` is 0..1 and
``sources`` the ids of the supporting episodes (only ids of stored episodes are kept).
"""
from __future__ import annotations

from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_memory import Conclusion, Episode
from agentdeck.timeutil import utcnow

TYPES = ("explicit", "inferred", "corrected")


def document(c: Conclusion) -> dict:
    """The API's shape of a conclusion."""
    return {"id": c.id, "text": c.content, "type": c.type, "confidence": round(c.confidence, 4),
            "sources": list(c.sources or [])}


def listed(type: str | None = None, min_confidence: float | None = None, limit: int = 200) -> list[Conclusion]:
    """Live conclusions, most confident first."""
    query = Conclusion.select().where(Conclusion.deleted_at.is_null())
    if type:
        query = query.where(Conclusion.type == type)
    if min_confidence is not None:
        query = query.where(Conclusion.confidence >= min_confidence)
    return list(query.order_by(Conclusion.confidence.desc(), Conclusion.created_at.desc(), Conclusion.id).limit(limit))


def add(content: str, type: str, confidence: float, sources: list[str]) -> Conclusion | None:
    """Store a conclusion; the same text again raises the stored one's confidence and joins its
    sources instead. Sources that are not stored episodes are dropped; None when nothing is left
    to say (empty text, unknown type)."""
    content = (content or "").strip()[:2000]
    if not content or type not in TYPES:
        return None
    ids = [str(s) for s in sources or []]
    known = {e.id for e in Episode.select(Episode.id).where(Episode.id.in_(ids))} if ids else set()
    sources = [s for s in dict.fromkeys(ids) if s in known]
    confidence = min(1.0, max(0.0, float(confidence)))
    with writing():
        same = Conclusion.get_or_none(Conclusion.content == content, Conclusion.deleted_at.is_null())
        if same is not None:
            same.sources = list(dict.fromkeys(list(same.sources or []) + sources))
            same.confidence = max(same.confidence, confidence)
            same.updated_at = utcnow()
            same.save()
            return same
        return Conclusion.create(content=content, type=type, confidence=confidence, sources=sources)


def delete(conclusion_id: str) -> bool:
    """Soft-delete a conclusion; False when there is no live one of that id."""
    with writing():
        return bool(Conclusion.update(deleted_at=utcnow(), updated_at=utcnow())
                    .where(Conclusion.id == conclusion_id, Conclusion.deleted_at.is_null()).execute())
