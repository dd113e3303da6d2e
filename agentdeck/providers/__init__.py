"""LLM providers: one interface for every surface that talks to a model.

``get_provider("openai", {"api_key": ..., "model": ...})`` returns a configured ``Provider``;
the classes come from plugins through the ``register_providers`` hook (the built-in ones are
``openai``, ``anthropic``, ``ollama`` and the offline ``echo``). See docs/providers.md.
"""
from __future__ import annotations

from agentdeck.providers.base import Provider
from agentdeck.providers.errors import (
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderNotInstalled,
    ProviderOutOfCredit,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUpstreamError,
    ProviderURLRefused,
)
from agentdeck.providers.events import (
    AccountInfo,
    Completion,
    ContentDelta,
    Done,
    ModelInfo,
    Pricing,
    StreamEvent,
    ThinkingDelta,
    ToolCall,
    Usage,
)

#: The provider a fresh install answers with: offline, no key, no configuration.
DEFAULT_PROVIDER = "echo"


def available_providers() -> dict[str, type[Provider]]:
    """Installed provider classes by name, sorted by name."""
    from agentdeck.plugins.manager import get_plugin_manager

    return dict(sorted(get_plugin_manager().providers().items()))


def get_provider(name: str, config: dict | None = None) -> Provider:
    """A ``Provider`` of class ``name`` built from ``config``; raises ``ProviderNotInstalled``."""
    classes = available_providers()
    cls = classes.get(name)
    if cls is None:
        installed = ", ".join(classes) or "none"
        raise ProviderNotInstalled(f"no provider named {name!r} is installed (installed: {installed})",
                                   provider=name)
    return cls(config or {})


__all__ = [
    "AccountInfo", "Completion", "ContentDelta", "DEFAULT_PROVIDER", "Done", "ModelInfo", "Pricing",
    "Provider", "ProviderAuthError", "ProviderBadRequest", "ProviderError", "ProviderNotInstalled",
    "ProviderOutOfCredit", "ProviderRateLimited", "ProviderTimeout", "ProviderURLRefused",
    "ProviderUpstreamError", "StreamEvent", "ThinkingDelta", "ToolCall", "Usage",
    "available_providers", "get_provider",
]
