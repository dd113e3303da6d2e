"""Answering a message: the provider streams into a reply task; ``/messages`` waits for it,
``/stream`` relays it as Server-Sent Events, ``/cancel`` stops it.

Whatever happens, the conversation stays in step: the user turn is recorded when the reply
starts, and exactly one assistant turn follows it — ``complete``, or ``cancelled`` / ``error``
holding the text that had arrived (possibly empty).
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import AsyncIterator

from agentdeck.amplifier.cancellation import LocalRun, registry
from agentdeck.amplifier.provider_access import (default_model, failure_status, provider_failure,
                                                 provider_for)
from agentdeck.amplifier.sessions import Exchange, begin_exchange, finish_exchange, request_cancel
from agentdeck.providers.errors import ProviderError, ProviderUpstreamError
from agentdeck.providers.events import ContentDelta, Done, Usage

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """How a reply ended: ``complete``, ``cancelled`` or ``error`` (with the provider error)."""

    status: str
    text: str
    error: ProviderError | None = None
    usage: dict | None = None
    finish_reason: str | None = None


@dataclass
class Reply:
    """One message being answered by a task that streams from the provider into ``queue``."""

    exchange: Exchange
    provider: object
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    task: asyncio.Task | None = None
    _local: LocalRun | None = field(default=None, init=False)

    def start(self) -> "Reply":
        """Start the reply task and register it for cancellation."""
        self.task = asyncio.get_running_loop().create_task(self._run())
        self._local = registry().add(self.exchange.session_id, self.exchange.run_id, self.task)
        return self

    def cancel(self) -> None:
        """Stop the reply (the partial text is kept, marked cancelled)."""
        self._local.cancel()

    async def outcome(self) -> Outcome:
        """Wait for the reply to end and be recorded (the wait itself may be cancelled)."""
        return await asyncio.shield(self.task)

    async def _run(self) -> Outcome:
        parts: list[str] = []
        outcome = Outcome("complete", "")
        try:
            await self._pump(parts, outcome)
        except asyncio.CancelledError:
            asyncio.current_task().uncancel()
            outcome.status = "cancelled"
        except ProviderError as exc:
            outcome.status, outcome.error = "error", exc
        except Exception as exc:  # a provider bug: the client gets a 502, the log the traceback
            log.exception("provider %s failed", self.exchange.choice.plugin)
            outcome.status = "error"
            outcome.error = ProviderUpstreamError(f"{type(exc).__name__}: {exc}",
                                                  provider=self.exchange.choice.plugin)
        outcome.text = outcome.text or "".join(parts)
        # Out of the registry first: a late /cancel must not interrupt the reply being saved.
        registry().discard(self.exchange.session_id, self.exchange.run_id)
        try:
            await asyncio.to_thread(finish_exchange, self.exchange, outcome.text, outcome.status)
        finally:
            self.queue.put_nowait(outcome)
        return outcome

    async def _pump(self, parts: list[str], outcome: Outcome) -> None:
        model = await default_model(self.provider)
        await self._relay(self.provider.stream(self.exchange.history, model=model), parts, outcome)

    async def _relay(self, stream, parts: list[str], outcome: Outcome) -> None:
        try:
            async for event in stream:
                if isinstance(event, ContentDelta) and event.text:
                    parts.append(event.text)
                    self.queue.put_nowait(event.text)
                elif isinstance(event, Usage):
                    outcome.usage = {"input_tokens": event.input_tokens,
                                     "output_tokens": event.output_tokens}
                elif isinstance(event, Done):
                    outcome.finish_reason = event.finish_reason
                    outcome.text = "".join(parts) or event.text
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()


async def start_reply(session_id: str, message: str) -> Reply:
    """Claim the session, record the user turn and start answering (404 / 400 / 409 first)."""
    exchange = await asyncio.to_thread(begin_exchange, session_id, message)
    try:
        provider = provider_for(exchange.choice)
    except Exception:
        await asyncio.to_thread(finish_exchange, exchange, "", "error")
        raise
    return Reply(exchange, provider).start()


async def answer_message(session_id: str, message: str) -> dict:
    """The whole reply as ``{session_id, response, metadata}``; provider failures raise the
    mapped error, a cancelled reply answers with the partial text and ``metadata.cancelled``."""
    reply = await start_reply(session_id, message)
    outcome = await reply.outcome()
    if outcome.status == "error":
        raise provider_failure(outcome.error)
    return {"session_id": session_id, "response": outcome.text,
            "metadata": _metadata(reply.exchange, outcome)}


async def stream_reply(session_id: str, message: str) -> AsyncIterator[str]:
    """Start the reply, then return its Server-Sent Events (errors before the start are raised)."""
    reply = await start_reply(session_id, message)
    return _events(reply)


async def _events(reply: Reply) -> AsyncIterator[str]:
    try:
        yield _sse({"type": "connected", "session_id": reply.exchange.session_id})
        while True:
            item = await reply.queue.get()
            if isinstance(item, Outcome):
                break
            yield _sse({"type": "provider:stream:delta", "data": {"content": item}})
        for event in _closing_events(item):
            yield _sse(event)
    finally:
        if not reply.task.done():
            reply.cancel()  # the client went away: stop the upstream and keep what arrived


def _closing_events(outcome: Outcome) -> list[dict]:
    if outcome.status == "complete":
        return [{"type": "response", "content": outcome.text}, {"type": "done"}]
    if outcome.status == "cancelled":
        return [{"type": "cancelled", "content": outcome.text}, {"type": "done"}]
    error = outcome.error
    event = {"type": "error", "message": f"Provider error: {error}", "status": failure_status(error)}
    if error.retry_after is not None:
        event["retry_after"] = error.retry_after
    return [event]


async def cancel_reply(session_id: str) -> None:
    """Ask whichever worker answers the session's message to stop (404 for an unknown session)."""
    await asyncio.to_thread(request_cancel, session_id)
    registry().cancel(session_id)


def _metadata(exchange: Exchange, outcome: Outcome) -> dict:
    metadata = {"config_id": exchange.config_id, "provider": exchange.choice.module,
                "status": outcome.status, "finish_reason": outcome.finish_reason,
                "usage": outcome.usage}
    if outcome.status == "cancelled":
        metadata["cancelled"] = True
    return metadata


def _sse(event: dict) -> str:
    return f"data: {json.dumps(event)}\n\n"
