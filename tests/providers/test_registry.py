"""Finding provider classes through the plugin manager: get_provider and available_providers."""
from __future__ import annotations

import pytest

from agentdeck.plugins.manager import PluginManager, reset_plugin_manager
from agentdeck.providers import (DEFAULT_PROVIDER, Provider, ProviderNotInstalled, available_providers,
                                 get_provider)
from agentdeck.settings import reset_settings

BUILT_INS = {"openai": "providers.openai_compat", "anthropic": "providers.anthropic_messages",
             "ollama": "providers.ollama_native", "echo": "providers.echo"}


@pytest.fixture
def plugin_env(monkeypatch):
    """Reload settings and plugins from the environment this test sets, and again afterwards."""
    monkeypatch.delenv("AGENTDECK_DISABLED_PLUGINS", raising=False)
    reset_settings()
    reset_plugin_manager()
    yield monkeypatch
    reset_settings()
    reset_plugin_manager()


def test_the_plugin_manager_discovers_the_four_built_ins():
    manager = PluginManager()
    manager.load_builtins()
    classes = manager.providers()
    assert set(BUILT_INS) <= set(classes)
    assert all(issubclass(cls, Provider) and cls.name == name for name, cls in classes.items())
    listed = {p.name: p for p in manager.plugins()}
    for plugin_name in BUILT_INS.values():
        assert listed[plugin_name].builtin
        assert listed[plugin_name].hooks == ["register_providers"]


def test_available_providers_is_sorted_by_name(plugin_env):
    names = list(available_providers())
    assert names == sorted(names)
    assert set(BUILT_INS) <= set(names)


def test_get_provider_builds_the_named_class(plugin_env):
    provider = get_provider("echo", {"delay": 0})
    assert type(provider) is available_providers()["echo"]
    assert provider.delay == 0


def test_unknown_provider_is_not_installed(plugin_env):
    with pytest.raises(ProviderNotInstalled) as caught:
        get_provider("no-such-provider", {})
    assert caught.value.kind == "not_installed"
    assert "echo" in caught.value.message  # the message lists what is installed


def test_a_disabled_plugin_takes_its_provider_away(plugin_env):
    plugin_env.setenv("AGENTDECK_DISABLED_PLUGINS", "providers.ollama_native")
    reset_settings()
    reset_plugin_manager()
    assert "ollama" not in available_providers()
    with pytest.raises(ProviderNotInstalled):
        get_provider("ollama")


async def test_a_fresh_install_answers_through_echo_without_configuration(plugin_env):
    async with get_provider(DEFAULT_PROVIDER) as provider:
        completion = await provider.complete([{"role": "user", "content": "are you there?"}])
    assert completion.text == "Echo: are you there?"
    assert completion.finish_reason == "stop"
