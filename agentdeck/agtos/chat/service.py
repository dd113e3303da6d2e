"""The chat operations: one message answered whole or as events, a task, a conversation's history."""
from __future__ import annotations

import asyncio
import time
import uuid
from typing import AsyncIterator

from agentdeck.agent_tools import available_agent_tools
from agentdeck.agtos.chat import memory
from agentdeck.agtos.chat.errors import ChatProcessingFailed, TaskProcessingFailed
from agentdeck.agtos.chat.inputs import checked_images, checked_text, user_message
from agentdeck.agtos.chat.limits import ChatLimits
from agentdeck.agtos.chat.loop import SLOT, AgentLoop
from agentdeck.providers.errors import ProviderError
from agentdeck.router import AllProvidersFailed, get_router, upstreams
from agentdeck.storage.db import gives_back_connection

SYSTEM_PROMPT = ("You are agtOS, a helpful personal assistant. Answer directly and concisely; "
                 "call a tool when it helps you answer.")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _failure_detail(exc: ProviderError | AllProvidersFailed) -> str:
    if isinstance(exc, AllProvidersFailed):
        said = "; ".join(f"{a['provider']} ({a['model']}): {a['message']}" for a in exc.attempts)
        return f"All providers failed: {said or 'no provider is configured'}"
    return f"{exc.provider or 'the provider'} failed: {exc.message}"


@gives_back_connection
def _chat_provider() -> str:
    return get_router().get_slots()[SLOT].provider


def _first_message(text: str, files) -> dict:
    """The user turn, checked; reads the chat slot's provider only when there are images."""
    text = checked_text(text)
    images = checked_images(files)
    if not images:
        return user_message(text, [], "", None)
    provider = _chat_provider()
    return user_message(text, images, provider, upstreams.upstream(provider).plugin)


class _Turn:
    """One message being answered: the loop over the conversation so far, and its memory."""

    def __init__(self, session_id: str | None, message: dict, *, stream: bool):
        self.session_id = session_id
        self.message = message
        self.asked_at = _now_ms()
        self.limits = ChatLimits.from_env()
        self.stream = stream
        self.loop: AgentLoop | None = None

    async def events(self) -> AsyncIterator[dict]:
        """The loop's events; the turn is remembered before ``done`` goes out."""
        earlier = []
        if self.session_id is not None:
            recalled = await asyncio.to_thread(gives_back_connection(memory.recall), self.session_id)
            earlier = [{"role": m["role"], "content": m["content"]} for m in recalled or []]
        self.loop = AgentLoop(get_router(), [{"role": "system", "content": SYSTEM_PROMPT},
                                             *earlier, self.message],
                              available_agent_tools(), self.limits.max_steps,
                              self.limits.tool_timeout, stream=self.stream)
        async for event in self.loop.events():
            if event["type"] == "done":
                await self._remember()
                if self.session_id is not None:
                    event = {**event, "sessionId": self.session_id}
            yield event

    async def _remember(self) -> None:
        if self.session_id is None:
            return
        question = (self.message["content"] if isinstance(self.message["content"], str)
                    else self.message["content"][0]["text"])
        await asyncio.to_thread(gives_back_connection(memory.remember_turn), self.session_id,
                                (question, self.asked_at), (self.loop.text, _now_ms()),
                                ttl_seconds=self.limits.session_ttl)

    async def run(self) -> str:
        """Drain the loop; returns the answer. Raises ``ChatProcessingFailed``."""
        try:
            async for _ in self.events():
                pass
        except (ProviderError, AllProvidersFailed) as exc:
            raise ChatProcessingFailed(_failure_detail(exc)) from exc
        return self.loop.text


async def chat_once(session_id: str | None, text: str, files: list | None = None) -> dict:
    """Answer one message: the body of ``POST /api/chat``,
    ``{"text", "sessionId"?, "metadata": {stepCount, toolCallCount, durationMs}}``.

    Without ``session_id`` the chat is stateless (nothing recalled or remembered, no
    ``sessionId`` in the body). Raises ``InvalidInput`` (400) for bad text or files and
    ``ChatProcessingFailed`` (500) when the providers failed.
    """
    turn = _Turn(session_id, _first_message(text, files), stream=False)
    answer = await turn.run()
    body = {"text": answer, "metadata": turn.loop.metadata()}
    if session_id is not None:
        body["sessionId"] = session_id
    return body


def chat_events(session_id: str | None, text: str, files: list | None = None) -> AsyncIterator[dict]:
    """The ``data:`` events of ``POST /api/chat/stream`` (see ``agentdeck.agtos.chat.loop``),
    ending with ``done`` (with ``sessionId`` when there is one) or, when the providers failed,
    ``{"type": "error", "error": "Chat processing failed", "message"}``.

    Text and files are checked when this is called, before any event (``InvalidInput``, 400);
    with files, this reads the chat slot's provider from the database. Closing the iterator
    closes the upstream call.
    """
    turn = _Turn(session_id, _first_message(text, files), stream=True)
    return _relay(turn)


async def _relay(turn: _Turn) -> AsyncIterator[dict]:
    try:
        async for event in turn.events():
            yield event
    except (ProviderError, AllProvidersFailed) as exc:
        yield {"type": "error", **ChatProcessingFailed(_failure_detail(exc)).body}


async def run_task(topic: str, **fields) -> dict:
    """Run a task through the agent loop: the body of ``POST /api/tasks``,
    ``{"taskId", "text", "metadata"}``. Stateless; other request fields are ignored.

    Raises ``InvalidInput`` (``Missing or empty required field: topic``) and
    ``TaskProcessingFailed`` (500, its ``body`` carries the ``taskId``).
    """
    message = user_message(checked_text(topic, "topic"), [], "", None)
    task_id = str(uuid.uuid4())
    turn = _Turn(None, message, stream=False)
    try:
        answer = await turn.run()
    except ChatProcessingFailed as exc:
        raise TaskProcessingFailed(exc.detail, task_id) from exc.__cause__
    return {"taskId": task_id, "text": answer, "metadata": turn.loop.metadata()}


@gives_back_connection
def history(session_id: str) -> dict:
    """The body of ``GET /api/chat/history/{sessionId}``: the remembered messages
    (``{role, content, timestamp}``, oldest first) and ``count``; an expired or unknown session
    is ``sessionExpired: true`` with no messages."""
    messages = memory.recall(session_id)
    return {"sessionId": session_id, "sessionExpired": messages is None,
            "messages": messages or [], "count": len(messages or [])}
