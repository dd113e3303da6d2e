"""What every provider does with its config: defaults, unknown keys, keys kept out of sight, and
base URLs checked by the outbound guard."""
from __future__ import annotations

import socket

import pytest

from agentdeck.outbound import OutboundRefused
from agentdeck.providers import Provider, ProviderBadRequest, ProviderURLRefused, get_provider

HTTP_PROVIDERS = ["openai", "anthropic", "ollama"]


class Minimal(Provider):
    name = "minimal"
    default_timeout = 12.0


def test_defaults_and_unknown_keys():
    provider = Minimal({"model": "m", "colour": "blue"})
    assert (provider.model, provider.timeout, provider.base_url) == ("m", 12.0, None)
    assert provider.config["colour"] == "blue"  # ignored, but kept for subclasses


def test_the_key_is_kept_out_of_config_and_repr():
    provider = Minimal({"api_key": "sk-secret-value", "model": "m"})
    assert provider.api_key == "sk-secret-value"
    assert "api_key" not in provider.config
    assert "sk-secret-value" not in repr(provider)


@pytest.mark.parametrize("timeout", ["soon", -1])
def test_a_bad_timeout_is_a_bad_request(timeout):
    with pytest.raises(ProviderBadRequest):
        Minimal({"timeout": timeout})


def test_no_model_anywhere_is_a_bad_request():
    with pytest.raises(ProviderBadRequest):
        Minimal({}).resolve_model(None)
    assert Minimal({"model": "default"}).resolve_model("chosen") == "chosen"


async def test_the_base_class_interface_defaults():
    provider = Minimal({"model": "m"})
    assert await provider.list_models() == []
    assert await provider.validate_credentials() is None
    assert await provider.account_info() is None
    with pytest.raises(NotImplementedError):
        provider.stream([{"role": "user", "content": "x"}])


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
@pytest.mark.parametrize("url", ["http://127.0.0.1:9/v1", "http://localhost:11434", "http://10.1.2.3",
                                 "http://169.254.169.254/latest", "http://[::1]:8080"])
def test_private_base_urls_are_refused_when_not_allowed(deny_private_outbound, name, url):
    with pytest.raises(ProviderURLRefused) as caught:
        get_provider(name, {"base_url": url, "api_key": "k"})
    assert isinstance(caught.value, ProviderBadRequest) and isinstance(caught.value, OutboundRefused)
    assert caught.value.provider == name


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_schemes_other_than_http_are_refused_even_when_private_is_allowed(allow_private_outbound, name):
    with pytest.raises(ProviderURLRefused):
        get_provider(name, {"base_url": "file:///etc/passwd"})


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
async def test_private_base_urls_pass_when_allowed(allow_private_outbound, name):
    async with get_provider(name, {"base_url": "http://127.0.0.1:9/v1/"}) as provider:
        assert provider.base_url == "http://127.0.0.1:9/v1"


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
async def test_public_addresses_pass(deny_private_outbound, name):
    async with get_provider(name, {"base_url": "https://8.8.8.8/v1"}) as provider:
        assert provider.base_url == "https://8.8.8.8/v1"


async def test_the_operator_default_base_url_is_not_checked(deny_private_outbound):
    # Ollama's default is the local daemon; only URLs that come with a config are checked.
    async with get_provider("ollama", {}) as provider:
        assert provider.base_url == "http://127.0.0.1:11434"


async def test_requests_resolve_the_host_again(deny_private_outbound, monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError("the constructor must not resolve host names")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    provider = Minimal({"base_url": "https://models.example.test/v1"})
    assert provider.request_hooks()["request"]
    # The name now resolves to a private address (DNS changed, or rebinding): refused per request.
    monkeypatch.setattr(socket, "getaddrinfo",
                        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443))])
    with pytest.raises(ProviderURLRefused):
        await provider.check_url("https://models.example.test/v1/chat/completions")
    monkeypatch.setattr(socket, "getaddrinfo",
                        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", 443))])
    await provider.check_url("https://models.example.test/v1/chat/completions")


def test_default_base_urls_are_not_hooked():
    assert Minimal({}).request_hooks() == {}
