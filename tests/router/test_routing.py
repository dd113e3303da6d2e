"""Routing over real HTTP to the fake upstreams: fallback, exhaustion, streams, fresh install."""
from __future__ import annotations

from datetime import timedelta

import pytest

from agentdeck.metrics import exposition
from agentdeck.providers import ContentDelta, Done, ProviderAuthError, ProviderUpstreamError
from agentdeck.router import AllProvidersFailed, Router, UnknownSlot, credentials
from agentdeck.storage.models.router import ProviderExhaustion
from agentdeck.timeutil import utcnow
from tests.router.conftest import closed_port_url

MESSAGES = [{"role": "user", "content": "hello there"}]
TWO_PROVIDERS = {"chat": {"provider": "claude", "model": "claude-fake-1"},
                 "coding": {"provider": "openai", "model": "gpt-fake", "fallback": "chat"}}


def chats(fake) -> list:
    """The chat requests a fake received (catalog fetches left out)."""
    return [r for r in fake.requests if r.method == "POST"]


@pytest.fixture
async def two_providers(router, use_fake_openai, use_fake_anthropic):
    """``coding`` on the fake OpenAI server, falling back to ``chat`` on the fake Anthropic one;
    no fallback strategy, so nothing else is tried."""
    await router.auto_configure("cloud", "none")
    await router.put_slots(TWO_PROVIDERS)
    return use_fake_openai, use_fake_anthropic


async def test_a_fresh_install_answers_through_echo(router):
    routed = await router.complete("chat", MESSAGES)
    assert (routed.provider, routed.model) == ("echo", "echo-1")
    assert routed.completion.text == "Echo: hello there"


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_a_failing_status_falls_back_along_the_chain(router, two_providers, status):
    openai, anthropic = two_providers
    openai.fail(status)
    routed = await router.complete("coding", MESSAGES)
    assert (routed.slot, routed.provider, routed.model, routed.fallbacks) == (
        "chat", "claude", "claude-fake-1", 1)
    assert routed.completion.text == "Hello! You said: hello there"
    assert len(chats(openai)) == 1, "the client's own retries are off: the router decides"
    assert len(chats(anthropic)) == 1


async def test_a_timeout_falls_back(db, two_providers):
    openai, _ = two_providers
    openai.response_delay = 1.0
    quick = Router(timeout=0.2)
    try:
        routed = await quick.complete("coding", MESSAGES)
    finally:
        await quick.pool.aclose()
    assert routed.provider == "claude"


async def test_a_refused_connection_falls_back(router, two_providers, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", closed_port_url() + "/v1")
    routed = await router.complete("coding", MESSAGES)
    assert routed.provider == "claude"


async def test_a_bad_key_is_not_hidden_by_a_fallback(router, two_providers):
    openai, anthropic = two_providers
    openai.api_key = "the-right-key"
    credentials.set_key("openai", "a-wrong-key")
    with pytest.raises(ProviderAuthError):
        await router.complete("coding", MESSAGES)
    assert chats(anthropic) == []


async def test_when_every_candidate_fails_the_error_says_which(router, two_providers):
    openai, anthropic = two_providers
    openai.fail(500)
    anthropic.fail(529)
    with pytest.raises(AllProvidersFailed) as caught:
        await router.complete("coding", MESSAGES)
    assert [(a["provider"], a["kind"]) for a in caught.value.attempts] == [
        ("openai", "upstream"), ("claude", "upstream")]
    assert "openai (gpt-fake)" in caught.value.message
    assert router.stats()["coding"]["errors"] >= 1


async def test_out_of_credit_marks_the_provider_exhausted_for_every_worker(router, two_providers):
    openai, anthropic = two_providers
    openai.fail(429, type="insufficient_quota", code="insufficient_quota",
                message="You exceeded your current quota")
    assert (await router.complete("coding", MESSAGES)).provider == "claude"
    row = ProviderExhaustion.get(ProviderExhaustion.provider == "openai")
    assert row.until is not None and row.until > utcnow() + timedelta(minutes=59)

    other_worker = Router(timeout=2.0)
    try:
        routed = await other_worker.complete("coding", MESSAGES)
    finally:
        await other_worker.pool.aclose()
    assert (routed.provider, routed.fallbacks) == ("claude", 1)
    assert len(chats(openai)) == 1, "an exhausted provider is skipped, not called"
    billing = router.billing()["openai"]
    assert billing["exhausted"] is True and billing["since"] and billing["until"]

    router.retry_provider("openai")
    assert router.billing()["openai"]["exhausted"] is False
    assert (await router.complete("coding", MESSAGES)).provider == "openai"


async def test_a_402_from_anthropic_exhausts_claude(router, two_providers):
    openai, anthropic = two_providers
    openai.fail(500)
    anthropic.fail(402)
    with pytest.raises(AllProvidersFailed):
        await router.complete("coding", MESSAGES)
    assert router.billing()["claude"]["exhausted"] is True


async def test_the_cooldown_ends_the_exhaustion(router, two_providers):
    openai, _ = two_providers
    openai.fail(402, type="insufficient_quota")
    await router.complete("coding", MESSAGES)
    ProviderExhaustion.update(until=utcnow() - timedelta(seconds=1)).execute()
    assert (await router.complete("coding", MESSAGES)).provider == "openai"
    assert router.billing()["openai"]["exhausted"] is False


async def test_a_cooldown_of_zero_lasts_until_retried(db, two_providers):
    openai, _ = two_providers
    patient = Router(timeout=2.0, cooldown=0)
    try:
        openai.fail(402, type="insufficient_quota")
        await patient.complete("coding", MESSAGES)
        assert ProviderExhaustion.get().until is None
        assert (await patient.complete("coding", MESSAGES)).provider == "claude"
    finally:
        await patient.pool.aclose()


async def test_a_stream_falls_back_before_its_first_token(router, two_providers):
    openai, _ = two_providers
    openai.fail(500)
    stream = router.stream("coding", MESSAGES)
    events = [event async for event in stream]
    assert (stream.provider, stream.slot, stream.fallbacks) == ("claude", "chat", 1)
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == "Hello! You said: hello there"
    assert isinstance(events[-1], Done)


async def test_a_stream_that_sent_tokens_never_switches_model(router, two_providers):
    openai, anthropic = two_providers
    openai.fail(500, after_tokens=2)
    stream = router.stream("coding", MESSAGES)
    received = []
    with pytest.raises(ProviderUpstreamError):
        async for event in stream:
            received.append(event)
    assert stream.provider == "openai"
    assert "".join(e.text for e in received if isinstance(e, ContentDelta)) == "partial answer"
    assert chats(anthropic) == [], "no other model was asked once tokens were out"


async def test_a_dropped_stream_after_tokens_is_an_error_not_a_switch(router, two_providers):
    openai, anthropic = two_providers
    openai.drop(after_tokens=1)
    with pytest.raises(ProviderUpstreamError):
        async for _ in router.stream("coding", MESSAGES):
            pass
    assert chats(anthropic) == []


async def test_closing_a_stream_closes_the_upstream_call(router, two_providers):
    openai, _ = two_providers
    openai.set_tokens_per_second(20)
    openai.reply("one two three four five six seven eight nine ten")
    stream = router.stream("coding", MESSAGES)
    async for event in stream:
        if isinstance(event, ContentDelta):
            break
    await stream.aclose()
    await openai.wait_until_streams_closed(timeout=2.0)
    assert openai.streams[-1].completed is False


async def test_the_slot_temperature_is_sent_unless_the_caller_sets_one(router, two_providers):
    openai, _ = two_providers
    await router.put_slots({**TWO_PROVIDERS,
                            "coding": {**TWO_PROVIDERS["coding"], "temperature": 0.2}})
    await router.complete("coding", MESSAGES)
    assert openai.last_request.json["temperature"] == 0.2
    await router.complete("coding", MESSAGES, options={"temperature": 0.9})
    assert openai.last_request.json["temperature"] == 0.9


async def test_a_built_in_slot_not_configured_answers_as_chat(router, two_providers):
    assert (await router.complete("maintenance", MESSAGES)).provider == "claude"
    with pytest.raises(UnknownSlot):
        await router.complete("no-such-slot", MESSAGES)


async def test_cloud_backup_tries_other_providers_with_a_key(router, two_providers):
    openai, anthropic = two_providers
    await router.auto_configure("cloud", "cloud-backup", cloud_provider="claude")
    await router.put_slots({"chat": {"provider": "openai", "model": "gpt-fake"}})
    credentials.set_key("claude", "sk-ant-test")
    openai.fail(503)
    routed = await router.complete("chat", MESSAGES)
    assert routed.provider == "claude"
    assert anthropic.last_request.headers["authorization"] == "Bearer sk-ant-test"


async def test_ollama_local_falls_back_to_ollama(router, two_providers, use_fake_ollama):
    openai, _ = two_providers
    await router.auto_configure("cloud", "ollama-local", ollama_model="qwen-fake:8b")
    await router.put_slots({"chat": {"provider": "openai", "model": "gpt-fake"}})
    openai.fail(500)
    routed = await router.complete("chat", MESSAGES)
    assert (routed.provider, routed.model) == ("ollama", "qwen-fake:8b")


async def test_stats_count_requests_errors_and_fallbacks(router, two_providers):
    openai, anthropic = two_providers
    before = router.stats().get("coding", {"requests": 0, "errors": 0, "fallbackCount": 0})
    await router.complete("coding", MESSAGES)
    openai.fail(500)
    await router.complete("coding", MESSAGES)
    after = router.stats()["coding"]
    assert after["requests"] - before["requests"] == 2
    assert after["fallbackCount"] - before["fallbackCount"] == 1
    assert after["errors"] == before["errors"]


async def test_stats_are_exported_to_prometheus(router, two_providers):
    openai, _ = two_providers
    openai.fail(500)
    await router.complete("coding", MESSAGES)
    text = exposition()[0].decode()
    assert 'agentdeck_router_requests_total{slot="coding"}' in text
    assert 'agentdeck_router_fallbacks_total{slot="coding"}' in text


async def test_a_stream_skips_an_exhausted_provider(router, two_providers):
    openai, _ = two_providers
    openai.fail(402, type="insufficient_quota")
    async for _ in router.stream("coding", MESSAGES):
        pass
    stream = router.stream("coding", MESSAGES)
    async for _ in stream:
        pass
    assert (stream.provider, stream.fallbacks) == ("claude", 1)
    assert len(chats(openai)) == 1


async def test_a_configured_chat_whose_server_stopped_answers_from_the_last_resort(
        router, use_fake_openai, monkeypatch):
    credentials.set_key("openai", "sk-test")
    await router.put_slots({"chat": {"provider": "openai", "model": "gpt-fake"}})
    assert (await router.complete("chat", MESSAGES)).provider == "openai"
    monkeypatch.setenv("OPENAI_BASE_URL", closed_port_url() + "/v1")
    routed = await router.complete("chat", MESSAGES)
    assert (routed.provider, routed.fallbacks) == ("echo", 1)


async def test_a_reachable_ollama_is_the_last_resort_before_echo(router, two_providers,
                                                                 use_fake_ollama):
    openai, anthropic = two_providers
    await router.auto_configure("cloud", "cloud-backup")
    await router.put_slots(TWO_PROVIDERS)
    openai.fail(500)
    anthropic.fail(500)
    routed = await router.complete("coding", MESSAGES)
    assert (routed.provider, routed.model, routed.fallbacks) == ("ollama", "llama-fake:latest", 2)


async def test_ollama_down_falls_back_to_the_cloud(router, use_fake_anthropic):
    await router.put_slots({"chat": {"provider": "claude", "model": "claude-fake-1"},
                            "maintenance": {"provider": "ollama", "model": "llama-fake:latest",
                                            "fallback": "chat"}})
    routed = await router.complete("maintenance", MESSAGES)
    assert (routed.provider, routed.fallbacks) == ("claude", 1)


async def test_tools_reach_the_provider_and_its_tool_calls_come_back(router, two_providers):
    openai, _ = two_providers
    tool = {"name": "current_time", "description": "The time now",
            "parameters": {"type": "object", "properties": {}}}
    openai.reply(tool_calls=[{"id": "call-1", "name": "current_time", "arguments": {}}])
    routed = await router.complete("coding", MESSAGES, tools=[tool])
    assert [c.name for c in routed.completion.tool_calls] == ["current_time"]
    assert openai.last_request.json["tools"][0]["function"]["name"] == "current_time"
