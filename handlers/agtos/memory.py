"""agtOS memory handlers: episodes, search, profile, conclusions, ask, import sources and import."""
from datetime import timezone

from agentdeck.agtos.memory import ask as asking
from agentdeck.agtos.memory import conclusions, episodes, importers, profile, search
from agentdeck.providers.errors import ProviderError
from agentdeck.router import AllProvidersFailed, UnknownSlot
from agentdeck.storage.models.agtos_memory import Episode


def _episode(e: Episode, hit: search.Hit | None = None) -> dict:
    out = {"id": e.id, "summary": e.summary, "keywords": list(e.keywords or []), "topic": e.topic,
           "timestamp": int(e.created_at.replace(tzinfo=timezone.utc).timestamp() * 1000),
           "importance": round(e.importance, 4), "type": e.type,
           "source": {"kind": e.source_kind, **(e.source_ref or {})}}
    if hit is not None:
        out["score"] = hit.score
        out["matchType"] = hit.match_type
    return out


def list_episodes(limit=20):
    """GET /api/memory/episodes"""
    found = [_episode(e) for e in episodes.recent(limit)]
    return {"episodes": found, "count": len(found), "available": True}, 200


def search_memory(q, limit=10):
    """GET /api/memory/search"""
    if not q.strip():
        return {"error": "Missing required query parameter: q"}, 400
    hits = search.search(q, limit)
    rows = {e.id: e for e in Episode.select().where(Episode.id.in_([h.episode_id for h in hits]))}
    found = [_episode(rows[h.episode_id], h) for h in hits if h.episode_id in rows]
    return {"episodes": found, "count": len(found), "available": True, "query": q,
            "mode": search.search_mode()}, 200


def get_profile():
    """GET /api/memory/profile"""
    return {"profile": profile.get()}, 200


def put_profile(body):
    """PUT /api/memory/profile"""
    try:
        profile.put(body)
    except profile.ProfileInvalid as exc:
        return {"error": str(exc)}, 400
    return {"updated": True}, 200


def list_conclusions(type=None, minConfidence=None):
    """GET /api/memory/conclusions"""
    return {"conclusions": [conclusions.document(c) for c in conclusions.listed(type, minConfidence)]}, 200


def delete_conclusion(id):
    """DELETE /api/memory/conclusions/{id}"""
    if not conclusions.delete(id):
        return {"error": "Conclusion not found"}, 404
    return {"deleted": True, "conclusionId": id}, 200


async def ask_memory(body):
    """POST /api/memory/ask"""
    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        return {"error": "Missing or invalid question"}, 400
    try:
        return await asking.ask(question.strip()), 200
    except (ProviderError, AllProvidersFailed, UnknownSlot) as exc:
        return {"error": "Memory reasoning not available", "message": str(exc)}, 503


def list_sources():
    """GET /api/memory/sources"""
    return {"sources": importers.scan()}, 200


def import_memories(body=None):
    """POST /api/memory/import"""
    sources = (body or {}).get("sources")
    try:
        result = importers.run_import(sources)
    except importers.UnknownSource as exc:
        return {"error": f"Unknown source: {exc}"}, 400
    return result.document(), 200

