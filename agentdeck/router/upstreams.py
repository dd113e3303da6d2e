"""Provider ids the router knows and how each becomes a configured ``Provider``.

``claude``, ``openai``, ``ollama`` and ``openrouter`` are the ids slots and keys use; each maps
onto a provider plugin (``openrouter`` is the OpenAI-compatible plugin at OpenRouter's URL). Any
other installed provider plugin is usable under its own name (``echo`` included). Base URLs come
from the upstreams' own variables, read on every call: ``ANTHROPIC_BASE_URL``,
``OPENAI_BASE_URL``, ``OPENROUTER_BASE_URL`` and ``OLLAMA_HOST``. They are the operator's, so the
client-URL guard of ``agentdeck.outbound`` does not apply to them.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import httpx

from agentdeck.providers import Provider, available_providers
from agentdeck.providers.errors import ProviderNotInstalled


@dataclass(frozen=True)
class Upstream:
    """A router provider id: the plugin that speaks to it, where it is, its default model."""

    id: str
    plugin: str
    base_url_env: str | None
    default_base_url: str | None
    default_model: str | None
    needs_key: bool
    billing_url: str | None = None


KNOWN = {
    "claude": Upstream("claude", "anthropic", "ANTHROPIC_BASE_URL", "https://api.anthropic.com",
                       "claude-sonnet-4-20250514", True, "https://console.anthropic.com/billing"),
    "openai": Upstream("openai", "openai", "OPENAI_BASE_URL", "https://api.openai.com/v1",
                       "gpt-4o", True, "https://platform.openai.com/account/billing"),
    "openrouter": Upstream("openrouter", "openai", "OPENROUTER_BASE_URL",
                           "https://openrouter.ai/api/v1", "openai/gpt-4o-mini", True,
                           "https://openrouter.ai/settings/credits"),
    "ollama": Upstream("ollama", "ollama", "OLLAMA_HOST", "http://127.0.0.1:11434", None, False),
}
#: Cloud providers in the order the fresh-install rule and ``cloud-backup`` try them.
CLOUD = ("claude", "openai", "openrouter")
#: Other names for the router ids: the agtOS reference's credential scopes, and the plugin
#: name ``anthropic`` (a slot naming it means ``claude``, with ``claude``'s key and base URL).
SCOPES = {"provider-anthropic": "claude", "provider-openai": "openai",
          "provider-openrouter": "openrouter", "provider-ollama": "ollama", "anthropic": "claude"}

_OLLAMA_PROBE_SECONDS = 30.0
_ollama_probe: dict[str, tuple[float, str | None]] = {}  # base URL -> (checked at, first model)


def provider_id(name: str) -> str:
    """The router id for ``name``: ``provider-anthropic`` and ``anthropic`` become ``claude``."""
    return SCOPES.get(name, name)


def upstream(provider: str) -> Upstream:
    """The ``Upstream`` for a router id or an installed plugin's name; raises
    ``ProviderNotInstalled`` for anything else."""
    known = KNOWN.get(provider_id(provider))
    if known is not None:
        return known
    cls = available_providers().get(provider)
    if cls is None:
        raise ProviderNotInstalled(f"no provider named {provider!r} (known: "
                                   f"{', '.join(known_providers())})", provider=provider)
    return Upstream(provider, provider, None, None, cls.default_model, False)


def known_providers() -> list[str]:
    """Every id a slot may name: the four router ids, then installed plugins by name."""
    return list(KNOWN) + [name for name in available_providers()
                          if name not in KNOWN and name not in SCOPES]


def base_url(up: Upstream) -> str | None:
    """Where ``up`` is reached now: its variable when set, else its default."""
    value = os.environ.get(up.base_url_env, "").strip() if up.base_url_env else ""
    if not value:
        return up.default_base_url
    if up.id == "ollama" and "://" not in value:
        value = f"http://{value}"  # OLLAMA_HOST is often host:port
    return value.rstrip("/")


def build_provider(provider: str, api_key: str | None, *, timeout: float) -> Provider:
    """A ``Provider`` for router id ``provider`` with the client's own retries off."""
    up = upstream(provider)
    cls = available_providers().get(up.plugin)
    if cls is None:
        raise ProviderNotInstalled(f"the {up.plugin!r} provider plugin is not installed",
                                   provider=provider)
    url = base_url(up)
    if url and url != cls.default_base_url:
        # The operator's URL becomes the class default: the default is trusted, a config's is not.
        cls = type(cls.__name__, (cls,), {"default_base_url": url})
    config = {"max_retries": 0, "timeout": timeout}
    if api_key:
        config["api_key"] = api_key
    if up.plugin == "openai" and provider == "openrouter":
        config["account_api"] = "openrouter"
    return cls(config)


def ollama_first_model(timeout: float = 0.5) -> str | None:
    """The first model a reachable Ollama lists, or None when it is not reachable (or has none).

    Blocking; the answer is kept for 30 seconds per base URL.
    """
    url = base_url(KNOWN["ollama"])
    checked = _ollama_probe.get(url)
    if checked is not None and time.monotonic() - checked[0] < _OLLAMA_PROBE_SECONDS:
        return checked[1]
    model = None
    try:
        response = httpx.get(f"{url}/api/tags", timeout=timeout, follow_redirects=False)
        if response.status_code == 200:
            names = [m.get("name") or m.get("model") for m in response.json().get("models") or []]
            model = next((n for n in names if n), None)
    except (httpx.HTTPError, ValueError, AttributeError):
        model = None
    _ollama_probe[url] = (time.monotonic(), model)
    return model


def forget_ollama_probe() -> None:
    """Probe Ollama again on the next call (tests, or after starting the daemon)."""
    _ollama_probe.clear()
