"""What is particular to the OpenAI-compatible provider: request shape, OpenRouter's extras,
OpenAI's and OpenRouter's credit errors, and the library's own habits kept in check."""
from __future__ import annotations

import pytest

from agentdeck.providers import (AccountInfo, Done, ModelInfo, Pricing, ProviderBadRequest,
                                 ProviderOutOfCredit, ProviderRateLimited, ProviderUpstreamError, Usage,
                                 get_provider)

PROMPT = [{"role": "user", "content": "hi"}]


@pytest.fixture
async def openai_provider(fake_openai):
    async with get_provider("openai", fake_openai.provider_config()) as provider:
        yield provider


async def test_request_shape(openai_provider, fake_openai):
    conversation = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": [{"type": "text", "text": "weather?"}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "name": "get_weather", "arguments": {"city": "Oslo"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
    ]
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    options = {"temperature": 0.2, "max_completion_tokens": 50, "top_k": 3}
    [event async for event in openai_provider.stream(conversation, tools=tools, options=options)]
    body = fake_openai.last_request.json
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"][1]["content"] == [{"type": "text", "text": "weather?"}]
    assert body["messages"][2]["tool_calls"] == [
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}]
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "c1", "content": "sunny"}
    assert body["tools"] == [{"type": "function", "function": {
        "name": "get_weather", "description": "", "parameters": {"type": "object"}}}]
    assert (body["temperature"], body["max_completion_tokens"], body["top_k"]) == (0.2, 50, 3)


async def test_without_stream_usage_no_usage_is_asked_or_reported(fake_openai):
    async with get_provider("openai", fake_openai.provider_config(stream_usage=False)) as provider:
        events = [event async for event in provider.stream(PROMPT)]
    assert "stream_options" not in fake_openai.last_request.json
    assert not any(isinstance(e, Usage) for e in events)
    assert events[-1] == Done("stop", "Hello! You said: hi")


async def test_finish_reason_length(openai_provider, fake_openai):
    fake_openai.reply("cut", finish_reason="length")
    events = [event async for event in openai_provider.stream(PROMPT)]
    assert events[-1] == Done("length", "cut")


async def test_openai_insufficient_quota_is_out_of_credit_not_a_rate_limit(openai_provider, fake_openai):
    fake_openai.fail(429, type="insufficient_quota", code="insufficient_quota",
                     message="You exceeded your current quota, please check your plan and billing details.")
    with pytest.raises(ProviderOutOfCredit) as caught:
        await openai_provider.complete(PROMPT)
    assert not isinstance(caught.value, ProviderRateLimited)
    assert caught.value.status == 429


async def test_openrouter_402_is_out_of_credit(openai_provider, fake_openai):
    fake_openai.fail(402, {"error": {"code": 402, "message": "Insufficient credits. Add more using https://openrouter.ai/credits"}})
    with pytest.raises(ProviderOutOfCredit):
        await openai_provider.complete(PROMPT)


async def test_openrouter_error_inside_a_stream_keeps_its_status(openai_provider, fake_openai):
    fake_openai.fail(502, {"error": {"code": 502, "message": "Provider returned error"}}, after_tokens=1)
    with pytest.raises(ProviderUpstreamError) as caught:
        [event async for event in openai_provider.stream(PROMPT)]
    assert caught.value.status == 502


async def test_retry_after_ms(openai_provider, fake_openai):
    fake_openai.fail(429, headers={"retry-after-ms": "2500"})
    with pytest.raises(ProviderRateLimited) as caught:
        await openai_provider.complete(PROMPT)
    assert caught.value.retry_after == 2.5


async def test_the_client_retries_when_asked_to(fake_openai):
    fake_openai.fail(503, headers={"retry-after-ms": "10"})
    async with get_provider("openai", fake_openai.provider_config(max_retries=1)) as provider:
        completion = await provider.complete(PROMPT)
    assert completion.text == "Hello! You said: hi"
    assert len(fake_openai.requests) == 2


async def test_openrouter_model_metadata(openai_provider, fake_openai):
    fake_openai.models.append({"id": "vllm/served", "max_model_len": 32768,
                               "expiration_date": "2026-03-01"})
    models = {m.id: m for m in await openai_provider.list_models()}
    assert models["gpt-fake"] == ModelInfo("gpt-fake", "gpt-fake")
    assert models["vendor/rich-model"] == ModelInfo(
        "vendor/rich-model", "Rich Model", 200000, 8192, ("chat", "tools", "vision", "thinking"),
        Pricing(3.0, 15.0), None)
    assert models["vllm/served"].context_length == 32768
    assert models["vllm/served"].deprecation_date == "2026-03-01"


async def test_openrouter_account_info(fake_openai):
    fake_openai.credits = {"total_credits": 20.0, "total_usage": 7.25}
    fake_openai.key_info = {"label": "sk-or-v1-abc...xyz", "limit": 15, "usage": 7.25,
                            "limit_remaining": 7.75, "is_free_tier": False}
    config = fake_openai.provider_config(account_api="openrouter")
    async with get_provider("openai", config) as provider:
        info = await provider.account_info()
    assert info == AccountInfo(balance=12.75, total_credits=20.0, total_usage=7.25, limit=15.0,
                               label="sk-or-v1-abc...xyz",
                               raw={"credits": fake_openai.credits, "key": fake_openai.key_info})
    assert [r.path for r in fake_openai.requests] == ["/v1/credits", "/v1/key"]


async def test_openrouter_account_info_from_the_key_alone(fake_openai):
    fake_openai.key_info = {"label": "k", "limit": 10, "usage": 4, "limit_remaining": 6}
    async with get_provider("openai", fake_openai.provider_config(account_api="openrouter")) as provider:
        info = await provider.account_info()
    assert (info.balance, info.limit, info.total_usage, info.total_credits) == (6.0, 10.0, 4.0, None)


async def test_openrouter_account_info_unavailable_raises(fake_openai):
    async with get_provider("openai", fake_openai.provider_config(account_api="openrouter")) as provider:
        with pytest.raises(ProviderBadRequest):
            await provider.account_info()


async def test_account_info_is_none_elsewhere_and_asks_nothing(openai_provider, fake_openai):
    assert await openai_provider.account_info() is None
    assert fake_openai.requests == []


async def test_openrouter_is_recognised_by_its_host(deny_private_outbound):
    async with get_provider("openai", {"base_url": "https://openrouter.ai/api/v1"}) as provider:
        assert provider.account_api == "openrouter"
    async with get_provider("openai", {}) as provider:
        assert provider.account_api is None
        assert provider.base_url == "https://api.openai.com/v1"


async def test_operator_environment_is_never_sent_to_a_configured_url(fake_openai, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator-secret")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-operator")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-operator")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    async with get_provider("openai", fake_openai.provider_config()) as provider:
        await provider.complete(PROMPT)
    headers = fake_openai.last_request.headers
    assert "sk-operator-secret" not in headers.get("authorization", "")
    assert "openai-organization" not in headers and "openai-project" not in headers


async def test_configured_key_organization_and_headers_are_sent(fake_openai):
    config = fake_openai.provider_config(api_key="sk-user", organization="org-1",
                                         headers={"HTTP-Referer": "https://example.org", "X-Title": "deck"})
    async with get_provider("openai", config) as provider:
        await provider.complete(PROMPT)
    headers = fake_openai.last_request.headers
    assert headers["authorization"] == "Bearer sk-user"
    assert headers["openai-organization"] == "org-1"
    assert (headers["http-referer"], headers["x-title"]) == ("https://example.org", "deck")


async def test_redirects_are_not_followed(fake_openai):
    config = fake_openai.provider_config(base_url=f"{fake_openai.url}/redirect/v1")
    async with get_provider("openai", config) as provider:
        with pytest.raises(ProviderUpstreamError):
            await provider.complete(PROMPT)
    assert [r.path for r in fake_openai.requests] == ["/redirect/v1/chat/completions"]


async def test_reasoning_fields_become_thinking(openai_provider, fake_openai):
    fake_openai.reply("answer", thinking="step one")
    completion = await openai_provider.complete(PROMPT)
    assert (completion.text, completion.thinking) == ("answer", "step one")
