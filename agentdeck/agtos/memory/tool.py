"""The ``memory_search`` agent tool: chat recalls earlier conversations through memory search."""
from __future__ import annotations

from agentdeck.agtos.memory import search
from agentdeck.storage.db import gives_back_connection
from agentdeck.storage.models.agtos_memory import Episode

NAME = "memory_search"
DESCRIPTION = ("Search the user's long-term memory (earlier conversations and imported chats) by meaning "
               "and keywords; use it when the user refers to something said before or asks what you know.")
PARAMETERS = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "What to recall"},
        "limit": {"type": "integer", "minimum": 1, "maximum": 10, "description": "How many episodes (default 5)"},
    },
    "required": ["query"],
    "additionalProperties": False,
}


@gives_back_connection
def memory_search(query: str, limit: int = 5) -> dict:
    """The best episodes for ``query``: id, date, topic, summary and score."""
    hits = search.search(query, max(1, min(10, int(limit))))
    rows = {e.id: e for e in Episode.select().where(Episode.id.in_([h.episode_id for h in hits]))}
    return {"episodes": [{"id": h.episode_id, "date": rows[h.episode_id].created_at.date().isoformat(),
                          "topic": rows[h.episode_id].topic, "summary": rows[h.episode_id].summary[:1000],
                          "score": h.score} for h in hits if h.episode_id in rows]}
