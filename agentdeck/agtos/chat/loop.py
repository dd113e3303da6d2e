"""The agent loop: the chat slot's model, offered the agent tools, until it answers.

Each *step* is one model call through the router. When the model asks for tools, each call runs
in turn (``agentdeck.agent_tools.call_tool``: a failing tool is an error the model reads, never
the end of the loop), the results go back to the model and the next step starts. The last step
allowed (``max_steps``) is made without tools, so a model that keeps asking for them still has
to answer. The answer is the last step's text; text a model writes beside its tool calls is
streamed as ``content`` but is not part of the answer. Events are the agtOS stream's ``data:`` objects:

- ``{"type": "content", "content"}`` and ``{"type": "thinking", "content"}``: reply fragments
  (streaming) or the whole reply of a step (non-streaming);
- ``{"type": "tool_start", "name", "id", "input"}`` and
  ``{"type": "tool_result", "id", "result", "error", "durationMs"}``;
- ``{"type": "step", "step", "finishReason", "toolCallCount", "durationMs"}`` after each step
  (``toolCallCount`` of that step);
- ``{"type": "done", "stepCount", "toolCallCount", "durationMs"}`` last.

Closing the event iterator (a client that went away) closes the router stream at once, which
closes the upstream connection.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import AsyncIterator

from agentdeck.agent_tools import AgentTool, call_tool
from agentdeck.providers.events import ContentDelta, Done, ThinkingDelta, ToolCall

SLOT = "chat"


@dataclass
class _StepReply:
    text: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"


@dataclass
class AgentLoop:
    """One message's run: ``messages`` is the conversation so far, ending with the user turn."""

    router: object
    messages: list[dict]
    tools: dict[str, AgentTool]
    max_steps: int
    tool_timeout: float
    stream: bool = True
    text: str = ""
    step_count: int = 0
    tool_call_count: int = 0
    started: float = field(default_factory=time.monotonic)

    def metadata(self) -> dict:
        """``{stepCount, toolCallCount, durationMs}`` so far."""
        return {"stepCount": self.step_count, "toolCallCount": self.tool_call_count,
                "durationMs": int((time.monotonic() - self.started) * 1000)}

    async def events(self) -> AsyncIterator[dict]:
        """Run the loop, yielding its events (see the module docstring); ``text`` holds the
        answer once ``done`` is out. Router errors propagate."""
        specs = [tool.spec() for tool in self.tools.values()]
        for step in range(1, self.max_steps + 1):
            offered = specs if specs and step < self.max_steps else None
            step_started = time.monotonic()
            reply = _StepReply()
            async with _closing(self._model_step(offered, reply)) as events:
                async for event in events:
                    yield event
            self.step_count = step
            calls = reply.tool_calls if offered else []
            async with _closing(self._run_tools(reply, calls, step)) as events:
                async for event in events:
                    yield event
            yield {"type": "step", "step": step, "finishReason": reply.finish_reason,
                   "toolCallCount": len(calls),
                   "durationMs": int((time.monotonic() - step_started) * 1000)}
            if not calls:
                self.text = "".join(reply.text)
                break
        yield {"type": "done", **self.metadata()}

    async def _model_step(self, offered: list[dict] | None, reply: _StepReply):
        if not self.stream:
            routed = await self.router.complete(SLOT, list(self.messages), tools=offered)
            completion = routed.completion
            reply.text.append(completion.text)
            reply.tool_calls.extend(completion.tool_calls)
            reply.finish_reason = completion.finish_reason
            if completion.thinking:
                yield {"type": "thinking", "content": completion.thinking}
            if completion.text:
                yield {"type": "content", "content": completion.text}
            return
        events = self.router.stream(SLOT, list(self.messages), tools=offered)
        async with _closing(events):
            async for event in events:
                if isinstance(event, ContentDelta):
                    reply.text.append(event.text)
                    yield {"type": "content", "content": event.text}
                elif isinstance(event, ThinkingDelta):
                    yield {"type": "thinking", "content": event.text}
                elif isinstance(event, ToolCall):
                    reply.tool_calls.append(event)
                elif isinstance(event, Done):
                    reply.finish_reason = event.finish_reason

    async def _run_tools(self, reply: _StepReply, calls: list[ToolCall], step: int):
        if not calls:
            return
        calls = [call if call.id else ToolCall(f"call_{step}_{n}", call.name, call.arguments)
                 for n, call in enumerate(calls, start=1)]
        self.messages.append({"role": "assistant", "content": "".join(reply.text),
                              "tool_calls": [{"id": c.id, "name": c.name, "arguments": c.arguments}
                                             for c in calls]})
        for call in calls:
            yield {"type": "tool_start", "name": call.name, "id": call.id, "input": call.arguments}
            outcome = await call_tool(self.tools, call.name, call.arguments, timeout=self.tool_timeout)
            self.tool_call_count += 1
            yield {"type": "tool_result", "id": call.id, "result": outcome.result,
                   "error": outcome.error, "durationMs": outcome.duration_ms}
            self.messages.append({"role": "tool", "tool_call_id": call.id,
                                  "content": outcome.for_model()})


@contextlib.asynccontextmanager
async def _closing(events):
    # Each nested generator is closed here, at once, when its consumer stops: left to the
    # garbage collector, the upstream connection would stay open until it ran.
    try:
        yield events
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
