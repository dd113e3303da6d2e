"""What is particular to the Ollama provider: its native request shape, the catalog built from
/api/tags and /api/show, tool calls without ids, and a bearer key for proxies."""
from __future__ import annotations

import pytest

from agentdeck.providers import ModelInfo, ProviderAuthError, ProviderBadRequest, ToolCall, get_provider

PROMPT = [{"role": "user", "content": "hi"}]


@pytest.fixture
async def ollama(fake_ollama):
    async with get_provider("ollama", fake_ollama.provider_config(keep_alive="10m")) as provider:
        yield provider


async def test_request_shape(ollama, fake_ollama):
    conversation = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": [{"type": "text", "text": "look"}], "images": ["aGk="]},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c9", "name": "search", "arguments": '{"q": "x"}'}]},
        {"role": "tool", "tool_call_id": "c9", "content": "found"},
    ]
    options = {"temperature": 0.1, "max_tokens": 64, "thinking": True, "num_ctx": 8192,
               "format": "json", "stop": ["\n\n"]}
    [e async for e in ollama.stream(conversation, tools=[{"name": "search"}], options=options)]
    body = fake_ollama.last_request.json
    assert body["stream"] is True and body["keep_alive"] == "10m"
    assert body["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "look", "images": ["aGk="]},
        {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "search", "arguments": {"q": "x"}}}]},
        {"role": "tool", "content": "found", "tool_name": "search"},
    ]
    assert body["tools"][0]["function"]["name"] == "search"
    assert (body["think"], body["format"]) == (True, "json")
    assert body["options"] == {"temperature": 0.1, "num_predict": 64, "num_ctx": 8192, "stop": ["\n\n"]}


async def test_tool_calls_without_ids_get_stable_ones(ollama, fake_ollama):
    calls = [{"id": "", "name": "a", "arguments": {}}, {"id": "", "name": "b", "arguments": {"x": 1}}]
    fake_ollama.reply("", tool_calls=calls)
    events = [e async for e in ollama.stream(PROMPT)]
    assert [e for e in events if isinstance(e, ToolCall)] == [ToolCall("call_0", "a", {}),
                                                              ToolCall("call_1", "b", {"x": 1})]
    fake_ollama.reply("", tool_calls=calls)
    assert [c.id for c in (await ollama.complete(PROMPT)).tool_calls] == ["call_0", "call_1"]


async def test_done_reason_length(ollama, fake_ollama):
    fake_ollama.reply("cut", finish_reason="length")
    assert (await ollama.complete(PROMPT)).finish_reason == "length"


async def test_catalog_reads_context_length_and_capabilities(ollama, fake_ollama):
    models = await ollama.list_models()
    assert models == [
        ModelInfo("llama-fake:latest", "llama-fake:latest", 131072, None, ("chat", "tools")),
        ModelInfo("qwen-fake:8b", "qwen-fake:8b", 40960, None, ("chat", "tools", "thinking", "vision")),
    ]
    assert sorted(r.json["model"] for r in fake_ollama.requests if r.path == "/api/show") == [
        "llama-fake:latest", "qwen-fake:8b"]


async def test_unknown_model(ollama, fake_ollama):
    fake_ollama.fail(404, message="model 'nope' not found, try pulling it first")
    with pytest.raises(ProviderBadRequest) as caught:
        await ollama.complete(PROMPT, model="nope")
    assert "not found" in caught.value.message


async def test_bearer_key_for_proxies(fake_ollama):
    fake_ollama.api_key = "ollama-proxy-key"
    async with get_provider("ollama", fake_ollama.provider_config()) as provider:
        await provider.validate_credentials()
        await provider.complete(PROMPT)
    assert fake_ollama.last_request.headers["authorization"] == "Bearer ollama-proxy-key"
    async with get_provider("ollama", fake_ollama.provider_config(api_key="wrong")) as provider:
        with pytest.raises(ProviderAuthError):
            await provider.list_models()


async def test_no_key_no_authorization_header(ollama, fake_ollama):
    await ollama.complete(PROMPT)
    assert "authorization" not in fake_ollama.last_request.headers


async def test_account_info_is_not_exposed(ollama, fake_ollama):
    assert await ollama.account_info() is None
    assert fake_ollama.requests == []
