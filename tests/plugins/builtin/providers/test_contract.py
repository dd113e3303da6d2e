"""The behaviour every HTTP provider owes its callers, checked against each upstream's fake.

Each test runs for ``openai``, ``anthropic`` and ``ollama``, each talking to a real HTTP server on
loopback that speaks its upstream's wire format.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest

from agentdeck.providers import (Completion, ContentDelta, Done, ProviderAuthError, ProviderBadRequest,
                                 ProviderError, ProviderOutOfCredit, ProviderRateLimited,
                                 ProviderTimeout, ProviderUpstreamError, ProviderURLRefused,
                                 ThinkingDelta, ToolCall, Usage, get_provider)
from agentdeck.settings import reset_settings

PROMPT = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]
TOOLS = [{"name": "get_weather", "description": "Weather for a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]


@pytest.fixture(params=["openai", "anthropic", "ollama"])
def upstream(request):
    """The fake upstream for each HTTP provider in turn."""
    return request.getfixturevalue(f"fake_{request.param}")


@pytest.fixture
async def provider(upstream):
    """A provider of the matching kind aimed at the fake."""
    async with get_provider(upstream.provider_name, upstream.provider_config()) as built:
        yield built


async def events_of(provider, messages=PROMPT, **kwargs) -> list:
    return [event async for event in provider.stream(messages, **kwargs)]


def other_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


async def wait_until(predicate, timeout: float = 1.0) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.005)
    return time.monotonic() - start


async def test_complete(provider, upstream):
    upstream.reply("Hello there, friend.", usage=(7, 4))
    completion = await provider.complete(PROMPT)
    assert completion == Completion("Hello there, friend.", [], Usage(7, 4), "stop",
                                    upstream.default_model)
    assert upstream.last_request.json.get("stream") in (None, False)


async def test_stream_events_in_order_with_the_full_text(provider, upstream):
    upstream.reply("Hello there, friend.", thinking="They want a greeting.", usage=(7, 4))
    events = await events_of(provider)
    thinking = [e.text for e in events if isinstance(e, ThinkingDelta)]
    content = [e.text for e in events if isinstance(e, ContentDelta)]
    assert "".join(thinking) == "They want a greeting."
    assert content == ["Hello", " there,", " friend."]  # one event per streamed fragment
    assert events[-2:] == [Usage(7, 4), Done("stop", "Hello there, friend.")]
    kinds = [type(e) for e in events]
    assert kinds.index(ContentDelta) > max(i for i, k in enumerate(kinds) if k is ThinkingDelta)
    assert upstream.last_request.json["stream"] is True
    assert upstream.streams[-1].completed


async def test_stream_tool_calls(provider, upstream):
    upstream.reply("Checking.", tool_calls=[{"id": "call_1", "name": "get_weather",
                                             "arguments": {"city": "Paris"}}])
    events = await events_of(provider, tools=TOOLS)
    calls = [e for e in events if isinstance(e, ToolCall)]
    assert calls == [ToolCall("call_1", "get_weather", {"city": "Paris"})]
    assert events[-1] == Done("tool_calls", "Checking.")
    assert "get_weather" in str(upstream.last_request.json)


async def test_complete_tool_calls(provider, upstream):
    upstream.reply("", tool_calls=[{"id": "call_1", "name": "get_weather", "arguments": {"city": "Oslo"}},
                                   {"id": "call_2", "name": "get_weather", "arguments": {"city": "Rome"}}])
    completion = await provider.complete(PROMPT, tools=TOOLS)
    assert completion.tool_calls == [ToolCall("call_1", "get_weather", {"city": "Oslo"}),
                                     ToolCall("call_2", "get_weather", {"city": "Rome"})]
    assert completion.finish_reason == "tool_calls"


async def test_a_tool_round_trip_is_accepted(provider, upstream):
    conversation = PROMPT + [
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "call_1", "name": "get_weather", "arguments": {"city": "Oslo"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 21 C"}]
    upstream.reply("It is sunny in Oslo.")
    completion = await provider.complete(conversation, tools=TOOLS)
    assert completion.text == "It is sunny in Oslo."
    assert "Sunny, 21 C" in str(upstream.last_request.json)


async def test_model_argument_overrides_the_configured_one(provider, upstream):
    completion = await provider.complete(PROMPT, model="another-model")
    assert upstream.last_request.json["model"] == "another-model"
    assert completion.model == "another-model"


ERRORS = [
    (401, ProviderAuthError), (403, ProviderAuthError), (402, ProviderOutOfCredit),
    (429, ProviderRateLimited), (404, ProviderBadRequest), (400, ProviderBadRequest),
    (500, ProviderUpstreamError), (503, ProviderUpstreamError), (408, ProviderTimeout),
]


@pytest.mark.parametrize("status, expected", ERRORS)
@pytest.mark.parametrize("call", ["complete", "stream"])
async def test_upstream_errors_map_to_classes(provider, upstream, status, expected, call):
    upstream.fail(status)
    with pytest.raises(expected) as caught:
        if call == "complete":
            await provider.complete(PROMPT)
        else:
            await events_of(provider)
    error = caught.value
    assert type(error).__module__ == "agentdeck.providers.errors"  # no library type leaks
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    assert (error.status, error.provider) == (status, upstream.provider_name)


async def test_rate_limit_carries_retry_after(provider, upstream):
    upstream.fail(429, headers={"Retry-After": "7"})
    with pytest.raises(ProviderRateLimited) as caught:
        await provider.complete(PROMPT)
    assert caught.value.retry_after == 7.0


async def test_an_error_in_the_middle_of_a_stream(provider, upstream):
    upstream.fail(500, after_tokens=2)
    seen = []
    with pytest.raises(ProviderUpstreamError):
        async for event in provider.stream(PROMPT):
            seen.append(event)
    assert [e.text for e in seen if isinstance(e, ContentDelta)] == ["partial", " answer"]


async def test_a_connection_dropped_mid_stream(provider, upstream):
    upstream.drop(after_tokens=2)
    with pytest.raises(ProviderUpstreamError):
        await events_of(provider)
    upstream.drop()
    with pytest.raises(ProviderUpstreamError):
        await provider.complete(PROMPT)


async def test_timeout(upstream):
    upstream.response_delay = 3
    async with get_provider(upstream.provider_name, upstream.provider_config(timeout=0.3)) as provider:
        start = time.monotonic()
        with pytest.raises(ProviderTimeout):
            await provider.complete(PROMPT)
        with pytest.raises(ProviderTimeout):
            await events_of(provider)
    assert time.monotonic() - start < 2.0


async def test_timeout_between_stream_chunks(upstream):
    upstream.reply("one two three")
    upstream.token_delay = 1.0
    async with get_provider(upstream.provider_name, upstream.provider_config(timeout=0.3)) as provider:
        with pytest.raises(ProviderTimeout):
            await events_of(provider)


async def test_connection_refused(upstream):
    with socket.socket() as sock:  # a port nobody listens on once the socket closes
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = upstream.provider_config(base_url=upstream.base_url.replace(str(upstream.server.port), str(port)))
    async with get_provider(upstream.provider_name, config) as provider:
        with pytest.raises(ProviderUpstreamError):
            await provider.complete(PROMPT)
        with pytest.raises(ProviderUpstreamError):
            await events_of(provider)


async def test_every_request_checks_the_url_again(provider, upstream, monkeypatch):
    # Built while loopback was allowed; the operator then turns that off (or, in real life, the
    # base URL's host name starts resolving to a private address).
    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "false")
    reset_settings()
    with pytest.raises(ProviderURLRefused):
        await provider.complete(PROMPT)
    with pytest.raises(ProviderURLRefused):
        await events_of(provider)
    with pytest.raises(ProviderURLRefused):
        await provider.list_models()
    assert upstream.requests == []


async def test_cancelling_a_stream_closes_the_connection(provider, upstream):
    upstream.reply(" ".join(["word"] * 500))
    upstream.token_delay = 0.02
    received = []

    async def consume():
        async for event in provider.stream(PROMPT):
            received.append(event)

    task = asyncio.create_task(consume())
    await wait_until(lambda: len(received) >= 3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await upstream.wait_until_streams_closed(timeout=1.0) < 1.0
    assert not upstream.streams[-1].completed
    assert other_tasks() == []
    upstream.token_delay = 0
    assert (await provider.complete(PROMPT)).text  # the pool is still usable


async def test_cancelling_complete_closes_the_connection(provider, upstream):
    upstream.response_delay = 5

    task = asyncio.create_task(provider.complete(PROMPT))
    await wait_until(lambda: len(upstream.requests) == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await wait_until(lambda: upstream.disconnects, timeout=1.0) < 1.0
    assert other_tasks() == []


async def test_closing_a_stream_early_closes_the_connection(provider, upstream):
    upstream.reply(" ".join(["word"] * 500))
    upstream.token_delay = 0.02
    stream = provider.stream(PROMPT)
    async for event in stream:
        if isinstance(event, ContentDelta):
            break
    await stream.aclose()
    assert await upstream.wait_until_streams_closed(timeout=1.0) < 1.0


async def test_concurrent_streams(provider, upstream):
    upstream.token_delay = 0.05
    prompts = [[{"role": "user", "content": f"number {i} please"}] for i in range(4)]
    start = time.monotonic()
    results = await asyncio.gather(*(provider.complete(p) for p in prompts))
    assert [r.text for r in results] == [f"Hello! You said: number {i} please" for i in range(4)]
    # Each reply takes ~0.3 s alone; run one after another they would take ~1.2 s.
    assert time.monotonic() - start < 1.0


async def test_list_models(provider, upstream):
    models = await provider.list_models()
    assert [m.id for m in models][:1] == [upstream.default_model]
    assert all("chat" in m.capabilities for m in models)


async def test_validate_credentials(upstream):
    upstream.api_key = "sk-good-key-1234"
    async with get_provider(upstream.provider_name, upstream.provider_config()) as good:
        await good.validate_credentials()
    bad_config = upstream.provider_config(api_key="sk-bad-key-5678")
    async with get_provider(upstream.provider_name, bad_config) as bad:
        with pytest.raises(ProviderAuthError) as caught:
            await bad.validate_credentials()
        with pytest.raises(ProviderAuthError):
            await bad.complete(PROMPT)
    assert "sk-bad-key-5678" not in str(caught.value)


async def test_the_key_is_sent_and_never_logged(upstream, caplog):
    secret = "sk-live-never-log-me-0987"
    upstream.api_key = secret
    caplog.set_level(logging.DEBUG)
    async with get_provider(upstream.provider_name, upstream.provider_config(api_key=secret)) as provider:
        await provider.complete(PROMPT)
        await events_of(provider)
        upstream.fail(401)
        with pytest.raises(ProviderError):
            await provider.complete(PROMPT)
    assert secret not in caplog.text
    assert secret not in repr(provider) and secret not in str(provider.config)


async def test_account_info_is_none_or_an_account(provider):
    info = await provider.account_info()
    assert info is None  # only OpenRouter exposes credits; see test_openai_compat
