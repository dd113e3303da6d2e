"""Opening the provider plugin a config selects, and what a provider failure means to a client.

``provider-<name>`` modules map to the provider plugin ``<name>``; the entry's ``config`` goes to
the plugin after ``${VAR}`` expansion. Provider errors become HTTP statuses here, in one place.
"""
from __future__ import annotations

import time

from agentdeck.amplifier.bundle import ProviderChoice, expand_environment
from agentdeck.errors import DomainError, InvalidInput
from agentdeck.providers import available_providers, get_provider
from agentdeck.providers.errors import (ProviderAuthError, ProviderBadRequest, ProviderError,
                                        ProviderNotInstalled, ProviderOutOfCredit,
                                        ProviderRateLimited, ProviderTimeout)

# The status a client sees for each kind of provider failure (anything else: 502).
_STATUS = ((ProviderNotInstalled, 400), (ProviderAuthError, 401), (ProviderOutOfCredit, 402),
           (ProviderRateLimited, 429), (ProviderTimeout, 504), (ProviderBadRequest, 400))


def open_provider(choice: ProviderChoice):
    """A ready provider for ``choice``; raises ``InvalidInput`` (400) for an unknown module or a
    missing environment variable, and the mapped error when the plugin refuses its config."""
    if choice.plugin not in installed_providers():
        raise InvalidInput(not_installed_message(choice))
    config = expand_environment(choice.config, "providers[0].config")
    try:
        return get_provider(choice.plugin, config)
    except ProviderNotInstalled:
        raise InvalidInput(not_installed_message(choice)) from None
    except ProviderError as exc:
        raise provider_failure(exc) from None


async def default_model(provider) -> str | None:
    """The model to ask for: the configured one, else the first the upstream lists (remembered
    for ``MODEL_CACHE_SECONDS``), so an OpenAI-compatible server needs only its URL and key."""
    if provider.model:
        return None
    key = (provider.name, provider.base_url, provider.api_key)
    cached = _discovered.get(key)
    if cached and time.monotonic() - cached[1] < MODEL_CACHE_SECONDS:
        return cached[0]
    models = await provider.list_models()
    if not models:
        return None
    _discovered[key] = (models[0].id, time.monotonic())
    return models[0].id


MODEL_CACHE_SECONDS = 300.0
_discovered: dict[tuple, tuple[str, float]] = {}


def installed_providers() -> list[str]:
    """Names of the installed provider plugins, sorted."""
    return sorted(available_providers())


def not_installed_message(choice: ProviderChoice) -> str:
    """The 400 detail for a module with no plugin behind it."""
    installed = ", ".join(f"provider-{name}" for name in installed_providers()) or "none"
    return (f"Provider module '{choice.module}' is not installed (no provider plugin named "
            f"'{choice.plugin}'); installed: {installed}")


def failure_status(exc: ProviderError) -> int:
    """The HTTP status a client sees for a provider failure."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 502


def provider_failure(exc: ProviderError) -> DomainError:
    """A provider failure as a domain error: status, ``Retry-After`` when known, a safe message."""
    headers = {}
    if isinstance(exc, ProviderRateLimited) and exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    return DomainError(f"Provider error: {exc}", status=failure_status(exc), headers=headers)
