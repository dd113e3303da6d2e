"""Working memory: what a conversation remembers, how it is trimmed, and when it expires."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from agentdeck.agtos.chat import chat_once, history, purge_expired
from agentdeck.agtos.chat.memory import estimated_tokens
from agentdeck.storage.models.agtos_chat import ChatMessage, ChatSession
from agentdeck.timeutil import utcnow


async def test_earlier_turns_are_sent_with_the_next_one(chat_on_fake_openai):
    fake = chat_on_fake_openai
    fake.reply("Hello Alex.")
    fake.reply("Your name is Alex.")
    await chat_once("s-1", "My name is Alex.")
    await chat_once("s-1", "What is my name?")
    sent = [(m["role"], m["content"]) for m in fake.requests[-1].json["messages"]]
    assert sent[1:] == [("user", "My name is Alex."), ("assistant", "Hello Alex."),
                        ("user", "What is my name?")]
    assert sent[0][0] == "system"
    body = history("s-1")
    assert body["sessionExpired"] is False and body["count"] == 4
    assert [m["content"] for m in body["messages"]][-1] == "Your name is Alex."
    stamps = [m["timestamp"] for m in body["messages"]]
    assert stamps == sorted(stamps) and stamps[0] > 1_700_000_000_000


async def test_at_most_30_messages_are_kept_the_newest(router):
    for n in range(20):
        await chat_once("long", f"message {n}")
    messages = history("long")["messages"]
    assert len(messages) == 30
    assert messages[0] == {**messages[0], "role": "user", "content": "message 5"}
    assert messages[-1]["content"] == "Echo: message 19"


async def test_older_messages_go_when_the_window_passes_4000_tokens(router):
    text = "x" * 1000  # 250 tokens; echo's answer "Echo: " + text is 252
    for _ in range(12):
        await chat_once("big", text)
    messages = history("big")["messages"]
    assert sum(estimated_tokens(m["content"]) for m in messages) <= 4000
    assert len(messages) == 14 and messages[0]["role"] == "user"
    # 16 messages would be 4016 tokens; 15 would start with an answer whose question is gone


async def test_the_six_newest_are_kept_verbatim_whatever_their_size(router):
    text = "y" * 9000  # 2250 tokens: three turns are 13,500
    for _ in range(4):
        await chat_once("huge", text)
    messages = history("huge")["messages"]
    assert len(messages) == 6 and all(m["content"].endswith(text) for m in messages)


async def test_an_expired_or_unknown_session_has_no_history(router, monkeypatch):
    assert history("never") == {"sessionId": "never", "sessionExpired": True, "messages": [],
                                "count": 0}
    monkeypatch.setenv("AGENTDECK_AGTOS_CHAT_SESSION_TTL", "120")
    await chat_once("old", "remember me")
    expires_at = ChatSession.get_by_id("old").expires_at
    assert abs((expires_at - utcnow()).total_seconds() - 120) < 5
    ChatSession.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    assert history("old") == {"sessionId": "old", "sessionExpired": True, "messages": [], "count": 0}

    await chat_once("old", "a new start")
    assert [m["content"] for m in history("old")["messages"]] == ["a new start", "Echo: a new start"]


async def test_a_short_ttl_expires_a_conversation(router, monkeypatch):
    monkeypatch.setenv("AGENTDECK_AGTOS_CHAT_SESSION_TTL", "0.2")
    await chat_once("brief", "hi")
    assert history("brief")["count"] == 2
    await asyncio.sleep(0.3)
    assert history("brief")["sessionExpired"] is True


async def test_purge_deletes_expired_conversations_only(router):
    await chat_once("keep", "hi")
    await chat_once("drop", "hi")
    ChatSession.update(expires_at=utcnow() - timedelta(seconds=1)).where(ChatSession.id == "drop").execute()
    assert purge_expired() == 1
    assert {m.session_id for m in ChatMessage.select()} == {"keep"}
    assert history("keep")["count"] == 2
