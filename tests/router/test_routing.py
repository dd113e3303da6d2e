"""Routing over real HTTP to the fake upstreams: fallback, exhaustion, streams, fresh install."""
from __future__ import annotations

MESSAGES = [{"role": "user", "content": "hello there"}]


async def test_a_fresh_install_answers_through_echo(router):
    routed = await router.complete("chat", MESSAGES)
    assert (routed.provider, routed.model) == ("echo", "echo-1")
    assert routed.completion.text == "Echo: hello there"


async def test_a_500_falls_back_along_the_chain(router, use_fake_openai, use_fake_anthropic):
    await router.put_slots({"chat": {"provider": "claude", "model": "claude-fake"},
                            "coding": {"provider": "openai", "model": "gpt-fake", "fallback": "chat"}})
    use_fake_openai.fail(500)
    routed = await router.complete("coding", MESSAGES)
    assert (routed.slot, routed.provider, routed.fallbacks) == ("chat", "claude", 1)
    assert routed.completion.text == "Hello! You said: hello there"
