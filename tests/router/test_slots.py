"""Slots: validation against the catalog, presets, reset, and the fresh-install defaults."""
from __future__ import annotations

import pytest

from agentdeck.errors import InvalidInput
from agentdeck.router import BUILT_IN, DeprecatedModel, Router, credentials
from agentdeck.router.validation import UNLISTED
from tests.router.conftest import closed_port_url


@pytest.fixture
def keys(db):
    """Keys stored for the cloud providers, so their catalogs are asked."""
    for provider in ("claude", "openai", "openrouter"):
        credentials.set_key(provider, f"sk-{provider}-test")


async def test_known_models_are_stored_without_warnings(router, keys, use_fake_openai,
                                                        use_fake_anthropic):
    warnings = await router.put_slots({
        "chat": {"provider": "claude", "model": "claude-fake-1", "temperature": 0.7},
        "my-summariser": {"provider": "openai", "model": "gpt-fake", "fallback": "chat"}})
    assert warnings == []
    slots = router.get_slots()
    assert set(slots) == {"chat", "my-summariser"}
    assert slots["my-summariser"].to_dict() == {"provider": "openai", "model": "gpt-fake",
                                                "fallback": "chat"}
    assert Router().get_slots() == slots, "kept in the database, not in the instance"


async def test_an_unlisted_model_is_a_warning(router, keys, use_fake_openai):
    warnings = await router.put_slots({"chat": {"provider": "openai", "model": "my-private-model"}})
    assert warnings == [{"slot": "chat", "model": "my-private-model", "reason": UNLISTED}]
    assert router.get_slots()["chat"].model == "my-private-model"


async def test_a_future_deprecation_is_a_warning(router, keys, use_fake_openai):
    use_fake_openai.models.append({"id": "gpt-sunset", "expiration_date": "2999-01-31"})
    warnings = await router.put_slots({"chat": {"provider": "openai", "model": "gpt-sunset"}})
    assert warnings == [{"slot": "chat", "model": "gpt-sunset", "reason": "deprecated on 2999-01-31"}]


async def test_a_past_deprecation_is_refused_with_the_documented_body(router, keys,
                                                                      use_fake_anthropic):
    await router.put_slots({"chat": {"provider": "claude", "model": "claude-fake-1"}})
    with pytest.raises(DeprecatedModel) as caught:
        await router.put_slots({"chat": {"provider": "claude", "model": "claude-fake-0"}})
    assert caught.value.status == 400
    assert caught.value.body == {
        "error": "Deprecated model(s)", "message": "Cannot use retired models",
        "deprecated": [{"slot": "chat", "model": "claude-fake-0",
                        "deprecatedAt": "2026-01-05T00:00:00Z"}]}
    assert router.get_slots()["chat"].model == "claude-fake-1", "nothing was written"


async def test_a_catalog_failure_is_a_warning(router, keys, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", closed_port_url() + "/v1")
    warnings = await router.put_slots({"chat": {"provider": "openai", "model": "gpt-4o"}})
    assert len(warnings) == 1 and warnings[0]["slot"] == "chat"
    assert warnings[0]["reason"].startswith("catalog unavailable for openai")
    assert router.get_slots()["chat"].model == "gpt-4o"


async def test_a_provider_without_a_key_is_not_asked_for_its_catalog(router, use_fake_openai):
    warnings = await router.put_slots({"chat": {"provider": "openai", "model": "gpt-fake"}})
    assert warnings == [{"slot": "chat", "model": "gpt-fake",
                         "reason": "catalog unavailable for openai: no API key stored"}]
    assert use_fake_openai.requests == []


@pytest.mark.parametrize("slots, says", [
    ({"reasoning": {"provider": "echo", "model": "echo-1"}}, "chat slot is required"),
    ({"chat": {"provider": "nowhere", "model": "x"}}, "provider must be one of"),
    ({"chat": {"provider": "echo", "model": ""}}, "model must be"),
    ({"chat": {"provider": "echo", "model": "echo-1", "temperature": 3}}, "temperature"),
    ({"chat": {"provider": "echo", "model": "echo-1", "fallback": "ghost"}}, "is not a slot"),
    ({"chat": {"provider": "echo", "model": "echo-1", "fallback": "b"},
      "b": {"provider": "echo", "model": "echo-1", "fallback": "chat"}}, "loops back"),
    ({"chat": {"provider": "echo", "model": "echo-1", "colour": "red"}}, "unknown field"),
    ({"bad name!": {"provider": "echo", "model": "echo-1"},
      "chat": {"provider": "echo", "model": "echo-1"}}, "slot name"),
])
async def test_a_malformed_configuration_is_invalid_input(router, slots, says):
    with pytest.raises(InvalidInput, match=says):
        await router.put_slots(slots)


async def test_any_installed_provider_plugin_is_usable_by_its_name(router):
    await router.put_slots({"chat": {"provider": "echo", "model": "echo-think"}})
    routed = await router.complete("chat", [{"role": "user", "content": "hi"}])
    assert routed.completion.thinking == "Thinking about: hi"


def test_a_fresh_install_routes_to_echo(router):
    slots = router.get_slots()
    assert set(slots) == set(BUILT_IN)
    assert (slots["chat"].provider, slots["chat"].model) == ("echo", "echo-1")
    assert all(s.fallback == "chat" for name, s in slots.items() if name != "chat")


def test_a_reachable_ollama_comes_before_echo(router, use_fake_ollama):
    chat = router.get_slots()["chat"]
    assert (chat.provider, chat.model) == ("ollama", "llama-fake:latest")


def test_a_stored_key_comes_before_ollama(router, use_fake_ollama):
    credentials.set_key("openrouter", "sk-or-v1-test")
    assert router.get_slots()["chat"].provider == "openrouter"
    credentials.set_key("claude", "sk-ant-test")
    assert router.get_slots()["chat"].provider == "claude"


async def test_the_fresh_install_default_falls_back_to_echo(router, monkeypatch):
    credentials.set_key("openai", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", closed_port_url() + "/v1")
    routed = await router.complete("chat", [{"role": "user", "content": "still there?"}])
    assert (routed.provider, routed.fallbacks) == ("echo", 1)


async def test_reset_forgets_custom_slots(router):
    await router.put_slots({"chat": {"provider": "echo", "model": "echo-1"},
                            "mine": {"provider": "echo", "model": "echo-1"}})
    slots = router.reset()
    assert set(slots) == set(BUILT_IN)
    assert router.get_slots() == slots


@pytest.mark.parametrize("mode, chat, maintenance", [
    ("cloud", "openai", "openai"), ("local", "ollama", "ollama"), ("hybrid", "openai", "ollama")])
async def test_auto_configure_presets(router, mode, chat, maintenance):
    slots = await router.auto_configure(mode, "ollama-local", cloud_provider="openai",
                                        ollama_model="qwen-fake:8b")
    assert set(slots) == set(BUILT_IN)
    assert (slots["chat"].provider, slots["maintenance"].provider) == (chat, maintenance)
    if maintenance == "ollama":
        assert slots["maintenance"].model == "qwen-fake:8b"
    assert router.get_slots() == slots
    assert router.fallback_strategy() == "ollama-local"


async def test_auto_configure_refuses_unknown_modes_and_strategies(router):
    with pytest.raises(InvalidInput, match="mode"):
        await router.auto_configure("space", None)
    with pytest.raises(InvalidInput, match="fallbackStrategy"):
        await router.auto_configure("cloud", "pray")
    with pytest.raises(InvalidInput, match="cloudProvider"):
        await router.auto_configure("cloud", None, cloud_provider="ollama")


async def test_the_cloud_preset_picks_the_provider_with_a_key(router):
    credentials.set_key("openai", "sk-test")
    slots = await router.auto_configure("cloud", None)
    assert slots["chat"].provider == "openai"
    assert router.fallback_strategy() == "cloud-backup"


async def test_the_anthropic_plugin_name_means_claude(router, use_fake_anthropic):
    await router.put_slots({"chat": {"provider": "anthropic", "model": "claude-fake-1"}})
    assert router.get_slots()["chat"].provider == "claude"
    assert "anthropic" not in router.provider_ids()
    assert router.provider_ids()[:4] == ["claude", "openai", "openrouter", "ollama"]
    assert "echo" in router.provider_ids()
