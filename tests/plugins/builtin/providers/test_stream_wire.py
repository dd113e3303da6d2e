"""Streamed bodies read raw: each provider turns its upstream's wire format into the same events
however the bytes arrive, and reports a broken body as an upstream error."""
from __future__ import annotations

import json

import pytest

from agentdeck.providers import (ContentDelta, Done, ProviderRateLimited, ProviderUpstreamError,
                                 ThinkingDelta, ToolCall, Usage, get_provider)

PROMPT = [{"role": "user", "content": "hi"}]


def pieces_of(body: str, size: int) -> list[str]:
    """``body`` cut every ``size`` characters: lines and events split across reads."""
    return [body[i:i + size] for i in range(0, len(body), size)]


async def events_of(upstream, **config) -> list:
    upstream.token_delay = 0.002  # one read per piece
    async with get_provider(upstream.provider_name, upstream.provider_config(**config)) as provider:
        return [event async for event in provider.stream(PROMPT)]


def openai_chunk(delta=None, finish=None, **extra) -> str:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return json.dumps({"id": "c", "object": "chat.completion.chunk", "choices": choices, **extra})


OPENAI_BODY = "".join([
    ": keep-alive comment\r\n\r\n",
    f"data: {openai_chunk({'role': 'assistant', 'content': ''})}\r\n\r\n",
    f"data: {openai_chunk({'reasoning': 'hmm'})}\r\n\r\n",
    f"data: {openai_chunk({'content': 'Hel'})}\r\n\r\n",
    f"data:{openai_chunk({'content': 'lo'})}\n\n",
    "data: " + openai_chunk({"tool_calls": [{"index": 0, "id": "call_9", "type": "function",
                                             "function": {"name": "get_weather", "arguments": '{"ci'}}]}) + "\n\n",
    "data: " + openai_chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'ty": "Oslo"}'}}]}) + "\n\n",
    f"data: {openai_chunk({}, 'tool_calls')}\n\n",
    f"data: {openai_chunk(None, usage={'prompt_tokens': 3, 'completion_tokens': 2})}\n\n",
    "data: [DONE]\n\n",
    f"data: {openai_chunk({'content': 'after the end'})}\n\n",
])


@pytest.mark.parametrize("size", [7, 13, 4096])
async def test_openai_events_however_the_body_is_split(fake_openai, size):
    fake_openai.stream_raw(*pieces_of(OPENAI_BODY, size))
    events = await events_of(fake_openai)
    assert events == [ThinkingDelta("hmm"), ContentDelta("Hel"), ContentDelta("lo"),
                      ToolCall("call_9", "get_weather", {"city": "Oslo"}), Usage(3, 2),
                      Done("tool_calls", "Hello")]


async def test_openai_stream_that_ends_without_done(fake_openai):
    fake_openai.stream_raw(f"data: {openai_chunk({'content': 'cut'})}\n\n",
                           f"data: {openai_chunk({}, 'length')}")  # no blank line, no [DONE]
    assert await events_of(fake_openai) == [ContentDelta("cut"), Done("length", "cut")]


async def test_openai_event_that_is_not_json(fake_openai):
    fake_openai.stream_raw(f"data: {openai_chunk({'content': 'ok'})}\n\n", "data: {broken\n\n")
    with pytest.raises(ProviderUpstreamError) as caught:
        await events_of(fake_openai)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_openai_error_objects_inside_a_stream(fake_openai):
    fake_openai.stream_raw(f"data: {openai_chunk({'content': 'ok'})}\n\n",
                           'data: {"error": {"code": 429, "message": "slow down"}}\n\n')
    with pytest.raises(ProviderRateLimited) as caught:
        await events_of(fake_openai)
    assert (caught.value.status, caught.value.message) == (429, "slow down")
    fake_openai.stream_raw('data: {"error": "boom"}\n\n')
    with pytest.raises(ProviderUpstreamError) as caught:
        await events_of(fake_openai)
    assert caught.value.message == "An error occurred during streaming"


def anthropic_event(name: str, with_name: bool = True, **data) -> str:
    head = f"event: {name}\r\n" if with_name else ""
    return f"{head}data: {json.dumps({'type': name, **data})}\r\n\r\n"


ANTHROPIC_BODY = "".join([
    anthropic_event("message_start", message={"usage": {"input_tokens": 5, "output_tokens": 1}}),
    anthropic_event("content_block_start", index=0, content_block={"type": "thinking", "thinking": ""}),
    anthropic_event("content_block_delta", index=0, delta={"type": "thinking_delta", "thinking": "hm"}),
    anthropic_event("content_block_delta", index=0, delta={"type": "signature_delta", "signature": "s"}),
    anthropic_event("content_block_stop", index=0),
    "event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n",
    "event: ping\r\ndata:\r\n\r\n",
    anthropic_event("content_block_start", index=1, content_block={"type": "text", "text": ""}),
    anthropic_event("content_block_delta", index=1, delta={"type": "text_delta", "text": "Hi"}),
    # Without an event line the type in the data still says what it is.
    anthropic_event("content_block_delta", False, index=1, delta={"type": "text_delta", "text": " you"}),
    anthropic_event("content_block_stop", index=1),
    anthropic_event("content_block_start", index=2,
                    content_block={"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}),
    anthropic_event("content_block_delta", index=2, delta={"type": "input_json_delta", "partial_json": '{"q": '}),
    anthropic_event("content_block_delta", index=2, delta={"type": "input_json_delta", "partial_json": '"x"}'}),
    anthropic_event("content_block_stop", index=2),
    anthropic_event("message_delta", delta={"stop_reason": "tool_use"}, usage={"output_tokens": 9}),
    anthropic_event("message_stop"),
])


@pytest.mark.parametrize("size", [9, 17, 4096])
async def test_anthropic_events_however_the_body_is_split(fake_anthropic, size):
    fake_anthropic.stream_raw(*pieces_of(ANTHROPIC_BODY, size))
    events = await events_of(fake_anthropic)
    assert events == [ThinkingDelta("hm"), ContentDelta("Hi"), ContentDelta(" you"),
                      ToolCall("toolu_1", "lookup", {"q": "x"}), Usage(5, 9),
                      Done("tool_calls", "Hi you")]


async def test_anthropic_event_that_is_not_json(fake_anthropic):
    fake_anthropic.stream_raw(anthropic_event("message_start", message={}), "event: content_block_delta\ndata: {\n\n")
    with pytest.raises(ProviderUpstreamError):
        await events_of(fake_anthropic)


async def test_anthropic_error_event_that_is_not_json(fake_anthropic):
    fake_anthropic.stream_raw(anthropic_event("message_start", message={}), "event: error\ndata: upstream fell over\n\n")
    with pytest.raises(ProviderUpstreamError) as caught:
        await events_of(fake_anthropic)
    assert (caught.value.status, caught.value.message) == (None, "upstream fell over")


def ollama_line(done: bool = False, **fields) -> str:
    return json.dumps({"model": "m", "done": done, **fields}) + "\n"


OLLAMA_BODY = "".join([
    ollama_line(message={"role": "assistant", "content": "", "thinking": "so"}),
    ollama_line(message={"role": "assistant", "content": "Hey"}),
    "\n",
    ollama_line(message={"role": "assistant", "content": "",
                         "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]}),
    ollama_line(True, message={"role": "assistant", "content": ""}, done_reason="stop",
                prompt_eval_count=4, eval_count=2).rstrip("\n"),  # the last line has no newline
])


@pytest.mark.parametrize("size", [3, 11, 4096])
async def test_ollama_events_however_the_body_is_split(fake_ollama, size):
    fake_ollama.stream_raw(*pieces_of(OLLAMA_BODY, size))
    events = await events_of(fake_ollama)
    assert events == [ThinkingDelta("so"), ContentDelta("Hey"), ToolCall("call_0", "f", {"a": 1}),
                      Usage(4, 2), Done("tool_calls", "Hey")]


async def test_ollama_line_that_is_not_json(fake_ollama):
    fake_ollama.stream_raw(ollama_line(message={"content": "ok"}), "{broken\n")
    with pytest.raises(ProviderUpstreamError):
        await events_of(fake_ollama)


@pytest.mark.parametrize("name", ["openai", "anthropic", "ollama"])
async def test_a_finished_stream_gives_its_connection_back(request, name):
    upstream = request.getfixturevalue(f"fake_{name}")
    async with get_provider(name, upstream.provider_config()) as provider:
        for _ in range(3):
            events = [event async for event in provider.stream(PROMPT)]
            assert isinstance(events[-1], Done)
    assert len({r.client_port for r in upstream.requests}) == 1  # one connection, reused
