"""Working memory: the recent messages of a conversation, by ``sessionId``, kept in the database.

Only what was said is remembered: each turn adds the user's text and the final answer (tool
calls and their results stay inside the turn that made them; images are not kept). After each
turn the window is trimmed: the 6 newest messages are always kept whole; older ones are kept
while the window stays within 30 messages and 4,000 tokens (estimated at 4 characters a token),
and the rest are dropped, oldest first, for good. A window never starts with an answer whose
question was dropped.

Nothing said is lost to long-term memory: the messages a trim drops, and those of a conversation
as it is forgotten (expired), are published in the same transaction as one
``agtos.chat.segment`` event (``{sessionId, messages: [{id, role, content, timestamp}]}``), which
memory's consolidation subscriber turns into an episode (``agentdeck.agtos.memory.consolidation``).

A conversation expires ``session_ttl`` seconds after its last turn (``ChatLimits``, default one
day); an expired conversation is forgotten, and a new turn under its id starts a new one.
``purge_expired()`` deletes what has expired (lookups ignore it meanwhile).
"""
from __future__ import annotations

import math
from datetime import timedelta

from agentdeck.agtos.chat.limits import (CHARS_PER_TOKEN, MEMORY_MAX_MESSAGES, MEMORY_MAX_TOKENS,
                                         MEMORY_VERBATIM)
from agentdeck import eventbus
from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_chat import ChatMessage, ChatSession
from agentdeck.timeutil import utcnow


def estimated_tokens(text: str) -> int:
    """A message's size in tokens, estimated from its length."""
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


def recall(session_id: str) -> list[dict] | None:
    """The conversation's remembered messages, oldest first, as ``{role, content, timestamp}``
    (milliseconds since the epoch); ``None`` when it expired or never existed."""
    session = ChatSession.get_or_none(ChatSession.id == session_id)
    if session is None or session.expires_at <= utcnow():
        return None
    rows = (ChatMessage.select().where(ChatMessage.session_id == session_id)
            .order_by(ChatMessage.id))
    return [{"role": m.role, "content": m.content, "timestamp": m.timestamp_ms} for m in rows]


def remember_turn(session_id: str, question: tuple[str, int], answer: tuple[str, int], *,
                  ttl_seconds: float) -> None:
    """Add one turn (``(text, timestamp_ms)`` of the question and of the answer), trim the
    window and push the expiry ``ttl_seconds`` past now."""
    now = utcnow()
    expires_at = now + timedelta(seconds=ttl_seconds)
    with writing():
        session = ChatSession.get_or_none(ChatSession.id == session_id)
        if session is not None and session.expires_at <= now:
            _forget(session_id)
            session = None
        if session is None:
            (ChatSession.insert(id=session_id, created_at=now, expires_at=expires_at)
             .on_conflict(conflict_target=[ChatSession.id],
                          update={ChatSession.expires_at: expires_at}).execute())
        else:
            ChatSession.update(expires_at=expires_at).where(ChatSession.id == session_id).execute()
        ChatMessage.insert_many([
            {"session_id": session_id, "role": "user", "content": question[0],
             "timestamp_ms": question[1]},
            {"session_id": session_id, "role": "assistant", "content": answer[0],
             "timestamp_ms": answer[1]},
        ]).execute()
        _trim(session_id)


SEGMENT_TOPIC = "agtos.chat.segment"


def _publish_segment(session_id: str, rows) -> None:
    """Hand messages leaving working memory to long-term memory (inside the caller's transaction)."""
    messages = [{"id": m.id, "role": m.role, "content": m.content, "timestamp": m.timestamp_ms} for m in rows]
    if messages:
        eventbus.publish(SEGMENT_TOPIC, {"sessionId": session_id, "messages": messages},
                         key=f"{session_id}:{messages[0]['timestamp']}")


def _trim(session_id: str) -> None:
    rows = list(ChatMessage.select(ChatMessage.id, ChatMessage.role, ChatMessage.content, ChatMessage.timestamp_ms)
                .where(ChatMessage.session_id == session_id).order_by(ChatMessage.id.desc()))
    kept, tokens = [], 0
    for index, row in enumerate(rows):
        size = estimated_tokens(row.content)
        if index >= MEMORY_VERBATIM and (len(kept) >= MEMORY_MAX_MESSAGES
                                         or tokens + size > MEMORY_MAX_TOKENS):
            break
        kept.append(row)
        tokens += size
    while len(kept) > 1 and kept[-1].role != "user":
        kept.pop()  # the oldest kept message answers a question that was dropped
    if len(kept) < len(rows):
        _publish_segment(session_id, [row for row in reversed(rows) if row.id < kept[-1].id])
        (ChatMessage.delete().where((ChatMessage.session_id == session_id)
                                    & (ChatMessage.id < kept[-1].id)).execute())


def _forget(session_id: str) -> None:
    _publish_segment(session_id, ChatMessage.select().where(ChatMessage.session_id == session_id)
                     .order_by(ChatMessage.id))
    ChatMessage.delete().where(ChatMessage.session_id == session_id).execute()
    ChatSession.delete().where(ChatSession.id == session_id).execute()


def purge_expired() -> int:
    """Delete every expired conversation with its messages; returns how many there were."""
    now = utcnow()
    with writing():
        expired = [s.id for s in ChatSession.select(ChatSession.id).where(ChatSession.expires_at <= now)]
        for start in range(0, len(expired), 500):
            batch = expired[start:start + 500]
            by_session: dict[str, list] = {}
            for row in ChatMessage.select().where(ChatMessage.session_id.in_(batch)).order_by(ChatMessage.id):
                by_session.setdefault(row.session_id, []).append(row)
            for session_id, rows in by_session.items():
                _publish_segment(session_id, rows)
            ChatMessage.delete().where(ChatMessage.session_id.in_(batch)).execute()
            ChatSession.delete().where(ChatSession.id.in_(batch)).execute()
    return len(expired)
