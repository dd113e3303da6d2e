"""Stream events, completions and catalog records: their shapes and how a stream is collected."""
from __future__ import annotations

import asyncio

from agentdeck.providers import (AccountInfo, Completion, ContentDelta, Done, ModelInfo, Pricing,
                                 ThinkingDelta, ToolCall, Usage)
from agentdeck.providers.events import collect


def test_events_serialise_with_their_type():
    assert ContentDelta("Hi").to_dict() == {"type": "content", "text": "Hi"}
    assert ThinkingDelta("hm").to_dict() == {"type": "thinking", "text": "hm"}
    assert ToolCall("c1", "f", {"a": 1}).to_dict() == {"type": "tool_call", "id": "c1", "name": "f",
                                                       "arguments": {"a": 1}}
    assert Usage(3, 4).to_dict() == {"type": "usage", "input_tokens": 3, "output_tokens": 4}
    assert Done("stop", "Hi").to_dict() == {"type": "done", "finish_reason": "stop", "text": "Hi"}


def test_catalog_and_account_records_serialise():
    model = ModelInfo("m", "M", 1000, 100, ("chat", "tools"), Pricing(1.5, 2.0), "2026-01-01")
    assert model.to_dict() == {"id": "m", "name": "M", "context_length": 1000, "max_output": 100,
                               "capabilities": ["chat", "tools"],
                               "pricing": {"input": 1.5, "output": 2.0},
                               "deprecation_date": "2026-01-01"}
    assert ModelInfo("bare").to_dict()["pricing"] is None
    assert AccountInfo(balance=3.0).to_dict()["currency"] == "USD"


async def _events(*events, gate: asyncio.Event | None = None, closed: list | None = None):
    try:
        for event in events:
            if gate is not None:
                await gate.wait()
            yield event
    finally:
        if closed is not None:
            closed.append(True)


async def test_collect_builds_a_completion():
    stream = _events(ThinkingDelta("let me"), ThinkingDelta(" see"), ContentDelta("Hel"),
                     ContentDelta("lo"), ToolCall("c1", "f", {}), Usage(5, 2), Done("tool_calls", "Hello"))
    completion = await collect(stream, model="m")
    assert completion == Completion("Hello", [ToolCall("c1", "f", {})], Usage(5, 2), "tool_calls",
                                    "m", "let me see")
    assert completion.to_dict()["usage"] == {"input_tokens": 5, "output_tokens": 2}


async def test_collect_closes_the_stream_when_cancelled():
    closed, gate = [], asyncio.Event()
    task = asyncio.create_task(collect(_events(ContentDelta("x"), gate=gate, closed=closed), model="m"))
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert closed == [True]
