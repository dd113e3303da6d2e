"""Conversations become episodes: messages leaving chat's working memory (a trim, or the
conversation expiring) are summarised by the router's ``maintenance`` slot into one episode.

The model is asked for JSON ``{summary, keywords, topic, importance, type}``. When it answers
something else (the offline echo provider does), the episode is still stored, with the first
question and the last answer as its summary, so nothing said is lost. Each episode keeps its
provenance: ``source_kind`` ``chat`` and ``{sessionId, messageIds, fromTimestamp, toTimestamp}``,
so a segment delivered twice (the event bus delivers at least once) is stored once.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from agentdeck.agtos.memory import episodes
from agentdeck.agtos.memory.modeljson import ask_json
from agentdeck.providers.errors import ProviderError
from agentdeck.storage.db import gives_back_connection

log = logging.getLogger(__name__)
SLOT = "maintenance"
MAX_TRANSCRIPT = 12_000  # characters of the conversation the model is shown
PROMPT = ("Summarise this part of a conversation between a user and an assistant as one memory. Answer "
          "with JSON only: {\"summary\": one to three sentences in the third person about what the user "
          "said, wanted or decided, \"keywords\": [up to 8], \"topic\": a few words, \"importance\": 0-1 "
          "(how useful to remember later), \"type\": conversation|preference|fact|task}.")
TYPES = ("conversation", "preference", "fact", "task")


def transcript(messages: list[dict]) -> str:
    lines = [f"{m.get('role', 'user')}: {m.get('content', '')}" for m in messages]
    text = "\n".join(lines)
    return text if len(text) <= MAX_TRANSCRIPT else text[-MAX_TRANSCRIPT:]


def fallback_summary(messages: list[dict]) -> str:
    """What is stored when the model gives no summary: the first question and the last answer."""
    first = next((m["content"] for m in messages if m.get("role") == "user"), "")
    last = next((m["content"] for m in reversed(messages) if m.get("role") == "assistant"), "")
    return " / ".join(part[:400] for part in (first, last) if part) or "(empty conversation)"


def episode_fields(answer: dict | None, messages: list[dict]) -> dict:
    """The episode's fields from the model's JSON, each checked, with the fallbacks."""
    answer = answer or {}
    summary = answer.get("summary") if isinstance(answer.get("summary"), str) and answer["summary"].strip() else None
    keywords = [k for k in answer.get("keywords") or [] if isinstance(k, str) and k.strip()][:8] \
        if isinstance(answer.get("keywords"), list) else []
    importance = answer.get("importance")
    importance = float(importance) if isinstance(importance, (int, float)) and not isinstance(importance, bool) else 0.5
    return {"summary": (summary or fallback_summary(messages))[:2000], "keywords": keywords,
            "topic": answer["topic"][:200] if isinstance(answer.get("topic"), str) else "",
            "importance": importance, "type": answer.get("type") if answer.get("type") in TYPES else "conversation"}


async def consolidate(session_id: str, messages: list[dict]) -> tuple[object, bool] | None:
    """Store ``messages`` of ``session_id`` as one episode; ``(episode, created)``, or None for
    an empty segment. A model that cannot be reached raises ``ProviderError`` (the bus retries)."""
    messages = [m for m in messages if isinstance(m, dict) and isinstance(m.get("content"), str)]
    if not messages:
        return None
    stamps = [m["timestamp"] for m in messages if isinstance(m.get("timestamp"), int)]
    ref = {"sessionId": session_id, "messageIds": [m["id"] for m in messages if isinstance(m.get("id"), int)],
           "fromTimestamp": min(stamps, default=None), "toTimestamp": max(stamps, default=None)}
    try:
        answer, _text = await ask_json(SLOT, PROMPT, transcript(messages))
    except ProviderError as exc:
        log.warning("chat consolidation for %s: the model failed (%s); it is tried again", session_id, exc)
        raise
    fields = episode_fields(answer, messages)
    when = (datetime.fromtimestamp(max(stamps) / 1000, tz=timezone.utc).replace(tzinfo=None) if stamps else None)
    return await asyncio.to_thread(gives_back_connection(episodes.store), created_at=when,
                                   source_kind="chat", source_ref=ref, **fields)
