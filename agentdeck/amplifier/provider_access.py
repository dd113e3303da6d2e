"""Opening the provider plugin a config selects, and what a provider failure means to a client.

``provider-<name>`` modules map to the provider plugin ``<name>``; the entry's ``config`` goes to
the plugin after ``${VAR}`` expansion. Provider errors become HTTP statuses here, in one place.
"""
from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections import OrderedDict

from agentdeck.amplifier.bundle import ProviderChoice, expand_environment
from agentdeck.errors import DomainError, InvalidInput
from agentdeck.providers import available_providers, get_provider
from agentdeck.providers.errors import (ProviderAuthError, ProviderBadRequest, ProviderError,
                                        ProviderNotInstalled, ProviderOutOfCredit,
                                        ProviderRateLimited, ProviderTimeout, ProviderURLRefused)

# The status a client sees for each kind of provider failure (anything else: 502).
_STATUS = ((ProviderNotInstalled, 400), (ProviderAuthError, 401), (ProviderOutOfCredit, 402),
           (ProviderRateLimited, 429), (ProviderTimeout, 504), (ProviderBadRequest, 400))


def check_provider(choice: ProviderChoice) -> dict:
    """The expanded config, after checking the module is installed and its ``${VAR}``s are set
    (400 otherwise), without building the provider."""
    if choice.plugin not in installed_providers():
        raise InvalidInput(not_installed_message(choice))
    return expand_environment(choice.config, "providers[0].config")


def open_provider(choice: ProviderChoice):
    """A ready provider for ``choice``; raises ``InvalidInput`` (400) for an unknown module or a
    missing environment variable, and the mapped error when the plugin refuses its config."""
    config = check_provider(choice)
    try:
        return get_provider(choice.plugin, config)
    except ProviderNotInstalled:
        raise InvalidInput(not_installed_message(choice)) from None
    except ProviderError as exc:
        raise provider_failure(exc) from None


class ProviderPool:
    """Providers kept open on one event loop, so messages that use the same provider and config
    share its connection pool (no new TLS setup per message); the least recently used are closed
    beyond ``size``."""

    def __init__(self, size: int = 64):
        self.size = size
        self._open: OrderedDict[str, object] = OrderedDict()

    def get(self, choice: ProviderChoice):
        """The open provider for ``choice``, built on first use (400 / mapped errors as
        ``open_provider``)."""
        key = json.dumps([choice.plugin, check_provider(choice)], sort_keys=True, default=str)
        provider = self._open.get(key)
        if provider is None:
            provider = self._open[key] = open_provider(choice)
            while len(self._open) > self.size:
                _, evicted = self._open.popitem(last=False)
                asyncio.get_running_loop().create_task(evicted.aclose())
        self._open.move_to_end(key)
        return provider


_pools: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def provider_for(choice: ProviderChoice):
    """The shared provider for ``choice`` on the running event loop."""
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = ProviderPool()
    return pool.get(choice)


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
    headers, hint = {}, ""
    if isinstance(exc, ProviderRateLimited) and exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    if isinstance(exc, ProviderURLRefused):
        hint = " (a server on this machine or a private network needs AGENTDECK_OUTBOUND_ALLOW_PRIVATE=true)"
    return DomainError(f"Provider error: {exc}{hint}", status=failure_status(exc), headers=headers)
