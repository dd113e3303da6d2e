"""The chat operations: one message answered whole or as events, a task, a conversation's history."""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from contextlib import aclosing
from typing import AsyncIterator

from agentdeck.agent_tools import available_agent_tools
from agentdeck.agtos.chat import memory
from agentdeck.agtos.chat.errors import ChatProcessingFailed, TaskProcessingFailed
from agentdeck.agtos.chat.inputs import checked_images, checked_text, user_message
from agentdeck.agtos.chat.limits import ChatLimits
from agentdeck.agtos.chat.loop import SLOT, AgentLoop
from agentdeck.errors import InvalidInput
from agentdeck.providers.errors import ProviderError
from agentdeck.router import AllProvidersFailed, get_router, upstreams
from agentdeck.storage.db import gives_back_connection

log = logging.getLogger(__name__)

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


def _checked_request(session_id, text, files) -> tuple[str | None, str, list[tuple[str, str]]]:
    if session_id is not None and (not isinstance(session_id, str) or len(session_id) > 128):
        raise InvalidInput("Field sessionId must be a string of at most 128 characters")
    return session_id or None, checked_text(text), checked_images(files)


def _first_message(text: str, images: list[tuple[str, str]], provider: str | None) -> dict:
    """The user turn; ``provider`` (the chat slot's) is read only when there are images."""
    if not images:
        return user_message(text, [], "", None)
    return user_message(text, images, provider, upstreams.upstream(provider).plugin)


class _Turn:
    """One message being answered: the loop over the conversation so far, and its memory."""

    def __init__(self, session_id: str | None, text: str, message: dict, *, stream: bool):
        self.session_id = session_id
        self.text = text
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
        async with aclosing(self.loop.events()) as events:
            async for event in events:
                if event["type"] == "done":
                    await self._remember()
                    if self.session_id is not None:
                        event = {**event, "sessionId": self.session_id}
                yield event

    async def _remember(self) -> None:
        if self.session_id is None:
            return
        await asyncio.to_thread(gives_back_connection(memory.remember_turn), self.session_id,
                                (self.text, self.asked_at), (self.loop.text, _now_ms()),
                                ttl_seconds=self.limits.session_ttl)

    async def run(self) -> str:
        """Drain the loop; returns the answer. Raises ``ChatProcessingFailed``."""
        try:
            async with aclosing(self.events()) as events:
                async for _ in events:
                    pass
        except (ProviderError, AllProvidersFailed) as exc:
            raise ChatProcessingFailed(_failure_detail(exc)) from exc
        return self.loop.text


async def chat_once(session_id: str | None, text: str, files: list | None = None) -> dict:
    """Answer one message: the body of ``POST /api/chat``,
    ``{"text", "sessionId"?, "metadata": {stepCount, toolCallCount, durationMs}}``.

    Without ``session_id`` (or with ``""``) the chat is stateless (nothing recalled or
    remembered, no ``sessionId`` in the body); a session id is at most 128 characters. Raises
    ``InvalidInput`` (400) for bad text, session id or files and ``ChatProcessingFailed`` (500)
    when the providers failed.
    """
    session_id, text, images = _checked_request(session_id, text, files)
    provider = await asyncio.to_thread(_chat_provider) if images else None
    turn = _Turn(session_id, text, _first_message(text, images, provider), stream=False)
    answer = await turn.run()
    body = {"text": answer, "metadata": turn.loop.metadata()}
    if session_id is not None:
        body["sessionId"] = session_id
    return body


def chat_events(session_id: str | None, text: str, files: list | None = None) -> AsyncIterator[dict]:
    """The ``data:`` events of ``POST /api/chat/stream`` (see ``agentdeck.agtos.chat.loop``),
    ending with ``done`` (with ``sessionId`` when there is one) or, when the providers failed,
    ``{"type": "error", "error": "Chat processing failed", "message"}`` (``"error": "Internal
    server error"`` for a fault of agentdeck's own, which is logged).

    Text and files are checked when this is called, before any event (``InvalidInput``, 400);
    with files, this reads the chat slot's provider from the database. Closing the iterator
    closes the upstream call.
    """
    session_id, text, images = _checked_request(session_id, text, files)
    provider = _chat_provider() if images else None
    return _relay(_Turn(session_id, text, _first_message(text, images, provider), stream=True))


async def _relay(turn: _Turn) -> AsyncIterator[dict]:
    try:
        async with aclosing(turn.events()) as events:
            async for event in events:
                yield event
    except (ProviderError, AllProvidersFailed) as exc:
        yield {"type": "error", **ChatProcessingFailed(_failure_detail(exc)).body}
    except Exception as exc:  # the stream's status is sent: say so in it rather than cut it off
        log.exception("chat stream failed")
        yield {"type": "error", "error": "Internal server error", "message": type(exc).__name__}


async def run_task(topic: str, **fields) -> dict:
    """Run a task through the agent loop: the body of ``POST /api/tasks``,
    ``{"taskId", "text", "metadata"}``. Stateless; other request fields are ignored.

    Raises ``InvalidInput`` (``Missing or empty required field: topic``) and
    ``TaskProcessingFailed`` (500, its ``body`` carries the ``taskId``).
    """
    topic = checked_text(topic, "topic")
    task_id = str(uuid.uuid4())
    turn = _Turn(None, topic, _first_message(topic, [], None), stream=False)
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
