"""Pytest fixtures for the fake upstreams (load this module as a pytest plugin).

Each fake server starts once per test session, on first use, and is reset before every test:
``fake_openai``, ``fake_anthropic`` and ``fake_ollama`` hand a test the reset fake with loopback
outbound calls allowed (the providers' base-URL guard refuses 127.0.0.1 otherwise). Typical use::

    async def test_reply(fake_openai):
        fake_openai.reply("Hi there")
        fake_openai.set_tokens_per_second(50)
        async with get_provider("openai", fake_openai.provider_config()) as provider:
            ...
        assert fake_openai.last_request.json["stream"] is True
"""
from __future__ import annotations

import pytest

from agentdeck.router import upstreams as router_upstreams
from agentdeck.settings import reset_settings

from .fake_anthropic import FakeAnthropic
from .fake_ollama import FakeOllama
from .fake_openai import FakeOpenAI

__all__ = ["allow_private_outbound", "deny_private_outbound", "fake_anthropic",
           "fake_anthropic_server", "fake_ollama", "fake_ollama_server", "fake_openai",
           "fake_openai_server"]


def _outbound(monkeypatch, allow: bool):
    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "true" if allow else "false")
    reset_settings()
    yield
    # monkeypatch restores the variable after this teardown; the next read sees the restored value.
    reset_settings()


@pytest.fixture
def allow_private_outbound(monkeypatch):
    """Let outbound requests reach private and loopback addresses (where the fakes listen)."""
    yield from _outbound(monkeypatch, True)


@pytest.fixture
def deny_private_outbound(monkeypatch):
    """Refuse private and loopback addresses, as a production default does."""
    yield from _outbound(monkeypatch, False)


def _session_server(fake_class):
    fake = fake_class().start()
    yield fake
    fake.stop()


def _fresh(fake):
    fake.reset()
    yield fake
    fake.reset()


@pytest.fixture(scope="session")
def fake_openai_server():
    """The session's ``FakeOpenAI`` as is (prefer ``fake_openai``, which resets it)."""
    yield from _session_server(FakeOpenAI)


@pytest.fixture(scope="session")
def fake_anthropic_server():
    """The session's ``FakeAnthropic`` as is (prefer ``fake_anthropic``)."""
    yield from _session_server(FakeAnthropic)


@pytest.fixture(scope="session")
def fake_ollama_server():
    """The session's ``FakeOllama`` as is (prefer ``fake_ollama``)."""
    yield from _session_server(FakeOllama)


@pytest.fixture
def fake_openai(fake_openai_server, allow_private_outbound):
    """A reset OpenAI-compatible fake; providers may call it."""
    yield from _fresh(fake_openai_server)


@pytest.fixture
def fake_anthropic(fake_anthropic_server, allow_private_outbound):
    """A reset Anthropic Messages fake; providers may call it."""
    yield from _fresh(fake_anthropic_server)


@pytest.fixture
def fake_ollama(fake_ollama_server, allow_private_outbound):
    """A reset Ollama fake; providers may call it."""
    yield from _fresh(fake_ollama_server)


# The router's provider ids pointed at the fakes (through the upstreams' own base-URL variables).


@pytest.fixture
def use_fake_openai(fake_openai, monkeypatch):
    """``openai`` and ``openrouter`` reach the fake OpenAI-compatible server."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENROUTER_BASE_URL", fake_openai.base_url)
    return fake_openai


@pytest.fixture
def use_fake_anthropic(fake_anthropic, monkeypatch):
    """``claude`` reaches the fake Anthropic server."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_anthropic.base_url)
    return fake_anthropic


@pytest.fixture
def use_fake_ollama(fake_ollama, monkeypatch):
    """``ollama`` reaches the fake Ollama server."""
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.base_url)
    router_upstreams.forget_ollama_probe()
    return fake_ollama


@pytest.fixture
def maintenance_on_fake_openai(client, use_fake_openai):
    """agtOS chat answered by echo and the ``maintenance`` slot (entity extraction, consolidation,
    the contradiction judge) on the fake OpenAI-compatible upstream, its requests reset."""
    from agentdeck.router import credentials

    credentials.set_key("openai", "sk-test")
    assert client.put("/agtos/api/slots", json={"chat": {"provider": "echo", "model": "echo-1"},
                                               "maintenance": {"provider": "openai", "model": "gpt-fake"}}).status_code == 200
    use_fake_openai.reset()
    return use_fake_openai
