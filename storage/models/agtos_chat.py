"""Models of agtOS chat's working memory: one row per conversation, one per remembered message.

A conversation lives until ``expires_at``, pushed forward by every turn; its messages are the
trimmed window the next turn is sent with (see ``agentdeck.agtos.chat.memory`` for the rules).
"""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.timeutil import utcnow


class ChatSession(BaseModel):
    """A conversation's working memory, by the ``sessionId`` the client chose."""

    id = peewee.CharField(max_length=128, primary_key=True)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField(index=True)

    class Meta:
        table_name = "agtos_chat_session"


class ChatMessage(BaseModel):
    """One remembered message: ``role`` user or assistant, its text, when it was said (ms)."""

    id = peewee.AutoField()
    session_id = peewee.CharField(max_length=128)
    role = peewee.CharField(max_length=16)
    content = peewee.TextField()
    timestamp_ms = peewee.BigIntegerField()

    class Meta:
        table_name = "agtos_chat_message"
        indexes = ((("session_id", "id"), False),)


MODELS = [ChatSession, ChatMessage]
