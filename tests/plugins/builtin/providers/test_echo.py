"""The offline echo provider: a fixed, documented reply, streamed word by word."""
from __future__ import annotations

import asyncio
import time

import pytest

from agentdeck.providers import (ContentDelta, Done, ProviderBadRequest, ThinkingDelta, ToolCall, Usage,
                                 get_provider)

HELLO = [{"role": "system", "content": "ignored by echo"},
         {"role": "user", "content": "earlier"},
         {"role": "assistant", "content": "Echo: earlier"},
         {"role": "user", "content": "hello big world"}]
TOOLS = [{"name": "lookup", "parameters": {"type": "object"}}]


@pytest.fixture
async def echo():
    async with get_provider("echo", {"delay": 0}) as provider:
        yield provider


async def events_of(provider, messages=HELLO, **kwargs):
    return [event async for event in provider.stream(messages, **kwargs)]


async def test_the_reply_is_echo_plus_the_last_user_message_word_by_word(echo):
    events = await events_of(echo)
    assert events == [ContentDelta("Echo:"), ContentDelta(" hello"), ContentDelta(" big"),
                      ContentDelta(" world"), Usage(9, 4), Done("stop", "Echo: hello big world")]


async def test_complete(echo):
    completion = await echo.complete(HELLO)
    assert (completion.text, completion.model, completion.finish_reason) == (
        "Echo: hello big world", "echo-1", "stop")
    assert completion.usage == Usage(9, 4)


async def test_prefix_is_configurable():
    async with get_provider("echo", {"delay": 0, "prefix": "> "}) as provider:
        assert (await provider.complete(HELLO)).text == "> hello big world"


async def test_the_thinking_model_thinks_first(echo):
    events = await events_of(echo, model="echo-think")
    thinking = [e.text for e in events if isinstance(e, ThinkingDelta)]
    assert "".join(thinking) == "Thinking about: hello big world"
    assert isinstance(events[len(thinking)], ContentDelta)


async def test_tool_command_calls_an_offered_tool(echo):
    messages = [{"role": "user", "content": '/tool lookup {"q": "pluggy"}'}]
    events = await events_of(echo, messages, tools=TOOLS)
    assert events == [ToolCall("echo-call-1", "lookup", {"q": "pluggy"}), Usage(4, 0),
                      Done("tool_calls", "")]
    # without the tool on offer the command is just text
    assert (await echo.complete(messages)).text == 'Echo: /tool lookup {"q": "pluggy"}'
    with pytest.raises(ProviderBadRequest):
        await echo.complete([{"role": "user", "content": "/tool lookup {oops}"}], tools=TOOLS)


async def test_unknown_model_and_bad_messages_are_bad_requests(echo):
    with pytest.raises(ProviderBadRequest):
        await echo.complete(HELLO, model="gpt-9")
    with pytest.raises(ProviderBadRequest):
        await echo.complete([])


async def test_catalog_and_account(echo):
    models = await echo.list_models()
    assert [m.id for m in models] == ["echo-1", "echo-think"]
    assert models[0].pricing.input == 0.0
    assert await echo.validate_credentials() is None
    assert await echo.account_info() is None


async def test_delay_paces_the_words():
    async with get_provider("echo", {"delay": 0.05}) as provider:
        start = time.monotonic()
        await provider.complete(HELLO)  # 4 words: 3 pauses
    assert 0.15 <= time.monotonic() - start < 1.0


async def test_the_default_delay_is_small():
    async with get_provider("echo") as provider:
        assert provider.delay == 0.01


async def test_cancelling_a_stream_stops_it_at_once():
    closed = []
    async with get_provider("echo", {"delay": 0.05}) as provider:
        async def consume():
            stream = provider.stream([{"role": "user", "content": " ".join(["w"] * 100)}])
            try:
                async for _ in stream:
                    pass
            finally:
                closed.append(time.monotonic())

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.12)
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert closed[0] - cancelled_at < 0.05
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


async def test_streams_run_concurrently():
    async with get_provider("echo", {"delay": 0.05}) as provider:
        start = time.monotonic()
        replies = await asyncio.gather(*(provider.complete([{"role": "user", "content": f"n {i} a b c"}])
                                         for i in range(10)))
    assert [r.text for r in replies] == [f"Echo: n {i} a b c" for i in range(10)]
    assert time.monotonic() - start < 0.6  # one alone takes 0.25 s; ten in a row 2.5 s
