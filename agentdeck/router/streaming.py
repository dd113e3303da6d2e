"""A routed stream: falls back only until the first token; once one is sent it never switches.

``RoutedStream`` is an async iterator of provider ``StreamEvent``s. Its ``slot``, ``provider``,
``model`` and ``fallbacks`` say which candidate is answering once the first event is out (None
before). Closing it (``aclose()``, or cancelling the task iterating it) closes the upstream call.
"""
from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import TYPE_CHECKING, AsyncIterator

from agentdeck.providers import ContentDelta, ProviderError, StreamEvent, ThinkingDelta, ToolCall
from agentdeck.router import routing, stats

if TYPE_CHECKING:
    from agentdeck.router import Router

_TOKENS = (ContentDelta, ThinkingDelta, ToolCall)


class RoutedStream:
    """The events of one routed streaming call (see the module docstring)."""

    def __init__(self, router: "Router", slot: str, messages: list[dict], tools, options):
        self.slot: str | None = None
        self.provider: str | None = None
        self.model: str | None = None
        self.fallbacks: int | None = None
        self._requested = slot
        self._events = self._run(router, slot, messages, tools, options)

    def __aiter__(self) -> "RoutedStream":
        return self

    async def __anext__(self) -> StreamEvent:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stop the stream and close the upstream call."""
        await self._events.aclose()

    async def _run(self, router: "Router", slot: str, messages, tools,
                   options) -> AsyncIterator[StreamEvent]:
        plan = await asyncio.to_thread(routing.plan, slot)
        attempts: list[dict] = []
        failed = True
        try:
            for candidate in plan.candidates:
                if candidate.provider in plan.exhausted:
                    attempts.append(routing.attempt(candidate, "exhausted", "out of credit"))
                    continue
                candidate = await routing.resolved(candidate)
                if candidate is None:
                    continue
                held: list[StreamEvent] = []
                committed = False
                try:
                    provider = router.pool.get(candidate.provider, plan.keys.get(candidate.provider))
                    events = provider.stream(messages, model=candidate.model, tools=tools,
                                             options=candidate.options(options))
                    async with aclosing(events):
                        async for event in events:
                            if not committed and not isinstance(event, _TOKENS):
                                held.append(event)  # Usage before any token: wait and see
                                continue
                            if not committed:
                                committed = True
                                self._chosen(candidate, len(attempts))
                                for early in held:
                                    yield early
                                held = []
                            yield event
                except ProviderError as exc:
                    if committed:
                        raise  # tokens were sent: the reply must not silently change model
                    if not await router.falls_back(exc, candidate, first=not attempts):
                        raise
                    attempts.append(routing.attempt(candidate, exc.kind, exc.message))
                    continue
                if not committed:
                    self._chosen(candidate, len(attempts))
                    for early in held:
                        yield early
                failed = False
                return
            raise routing.AllProvidersFailed(slot, attempts)
        except (GeneratorExit, asyncio.CancelledError):
            failed = False  # the caller stopped listening; that is not a failed call
            raise
        finally:
            stats.record(self._requested, fallbacks=len(attempts), failed=failed)

    def _chosen(self, candidate: routing.Candidate, fallbacks: int) -> None:
        self.slot, self.provider, self.model = candidate.slot, candidate.provider, candidate.model
        self.fallbacks = fallbacks
