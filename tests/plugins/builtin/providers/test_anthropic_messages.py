"""What is particular to the Anthropic provider: the Messages request shape, Anthropic's error
bodies, its model catalog, and the library's environment kept out."""
from __future__ import annotations

import pytest

from agentdeck.providers import (Done, ModelInfo, ProviderBadRequest, ProviderOutOfCredit,
                                 ProviderUpstreamError, ThinkingDelta, ToolCall, get_provider)

PROMPT = [{"role": "user", "content": "hi"}]


@pytest.fixture
async def claude(fake_anthropic):
    async with get_provider("anthropic", fake_anthropic.provider_config()) as provider:
        yield provider


async def test_request_shape(claude, fake_anthropic):
    conversation = [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "weather in two cities?"},
        {"role": "assistant", "content": "Checking.", "tool_calls": [
            {"id": "t1", "name": "get_weather", "arguments": {"city": "Oslo"}},
            {"id": "t2", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'}}]},
        {"role": "tool", "tool_call_id": "t1", "content": "sunny"},
        {"role": "tool", "tool_call_id": "t2", "content": [{"type": "text", "text": "rain"}]},
    ]
    tools = [{"name": "get_weather", "description": "d", "parameters": {"type": "object"}}]
    options = {"temperature": 0.3, "stop": "END", "thinking": 2048, "top_k": 5}
    await claude.complete(conversation, tools=tools, options=options)
    body = fake_anthropic.last_request.json
    assert body["system"] == "Be brief.\n\nBe kind."
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][1]["content"] == [
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Oslo"}},
        {"type": "tool_use", "id": "t2", "name": "get_weather", "input": {"city": "Rome"}}]
    assert body["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "t1", "content": "sunny"},
        {"type": "tool_result", "tool_use_id": "t2", "content": "rain"}]
    assert body["tools"] == [{"name": "get_weather", "description": "d", "input_schema": {"type": "object"}}]
    assert body["max_tokens"] == 4096
    assert body["stop_sequences"] == ["END"]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert (body["temperature"], body["top_k"]) == (0.3, 5)


async def test_max_tokens_from_config_and_options(fake_anthropic):
    async with get_provider("anthropic", fake_anthropic.provider_config(max_tokens=100)) as provider:
        await provider.complete(PROMPT)
        assert fake_anthropic.last_request.json["max_tokens"] == 100
        await provider.complete(PROMPT, options={"max_tokens": 7, "thinking": False})
        assert fake_anthropic.last_request.json["max_tokens"] == 7
        assert "thinking" not in fake_anthropic.last_request.json


async def test_complete_with_thinking_and_tools(claude, fake_anthropic):
    fake_anthropic.reply("Let me check.", thinking="Need the tool.",
                         tool_calls=[{"id": "toolu_1", "name": "lookup", "arguments": {"q": "x"}}])
    completion = await claude.complete(PROMPT)
    assert (completion.text, completion.thinking) == ("Let me check.", "Need the tool.")
    assert completion.tool_calls == [ToolCall("toolu_1", "lookup", {"q": "x"})]
    assert completion.finish_reason == "tool_calls"


async def test_stream_emits_each_tool_call_when_its_block_closes(claude, fake_anthropic):
    fake_anthropic.reply("", thinking="hm", tool_calls=[
        {"id": "toolu_1", "name": "a", "arguments": {"n": 1}},
        {"id": "toolu_2", "name": "b", "arguments": {}}])
    events = [e async for e in claude.stream(PROMPT)]
    assert isinstance(events[0], ThinkingDelta)
    assert [e for e in events if isinstance(e, ToolCall)] == [ToolCall("toolu_1", "a", {"n": 1}),
                                                              ToolCall("toolu_2", "b", {})]
    assert events[-1] == Done("tool_calls", "")


async def test_max_tokens_stop_is_length(claude, fake_anthropic):
    fake_anthropic.reply("cut sho", finish_reason="max_tokens")
    assert (await claude.complete(PROMPT)).finish_reason == "length"


@pytest.mark.parametrize("status, error_type, message", [
    (400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API. "
                                   "Please go to Plans & Billing to upgrade or purchase credits."),
    (402, "billing_error", "billing problem"),
])
async def test_credit_errors(claude, fake_anthropic, status, error_type, message):
    fake_anthropic.fail(status, type=error_type, message=message)
    with pytest.raises(ProviderOutOfCredit):
        await claude.complete(PROMPT)


async def test_overloaded(claude, fake_anthropic):
    fake_anthropic.fail(529)
    with pytest.raises(ProviderUpstreamError) as caught:
        await claude.complete(PROMPT)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (529, "overloaded_error", True)


async def test_overloaded_inside_a_stream(claude, fake_anthropic):
    fake_anthropic.fail(529, after_tokens=1)
    with pytest.raises(ProviderUpstreamError) as caught:
        [e async for e in claude.stream(PROMPT)]
    assert (caught.value.status, caught.value.code) == (None, "overloaded_error")


async def test_invalid_request(claude, fake_anthropic):
    fake_anthropic.fail(400, message="messages: at least one message is required")
    with pytest.raises(ProviderBadRequest):
        await claude.complete(PROMPT)


async def test_model_catalog(claude):
    models = await claude.list_models()
    assert models == [
        ModelInfo("claude-fake-1", "Claude Fake 1", 200000, 64000, ("chat", "tools", "vision", "thinking")),
        ModelInfo("claude-fake-0", "Claude Fake 0", None, None, ("chat", "tools"), None, "2026-01-05"),
    ]


async def test_account_info_is_not_exposed(claude, fake_anthropic):
    assert await claude.account_info() is None
    assert fake_anthropic.requests == []


async def test_operator_environment_is_never_used(fake_anthropic, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-operator-secret")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "operator-token")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    async with get_provider("anthropic", fake_anthropic.provider_config()) as provider:
        await provider.complete(PROMPT)
    headers = fake_anthropic.last_request.headers
    assert "operator" not in headers.get("authorization", "") + headers.get("x-api-key", "")


async def test_configured_headers_are_sent(fake_anthropic):
    config = fake_anthropic.provider_config(headers={"anthropic-beta": "fake-beta-2025"})
    async with get_provider("anthropic", config) as provider:
        await provider.complete(PROMPT)
    assert fake_anthropic.last_request.headers["anthropic-beta"] == "fake-beta-2025"
