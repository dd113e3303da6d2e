"""The aggregated model catalog: every configured provider's model list, cached for an hour in
the database so all workers share one fetch, with the time each provider took to answer.

A failed fetch is kept for a minute (so a down provider is not asked on every call) and then
tried again. Each fetch is counted in Prometheus as ``agtos_provider_catalog_fetch_total``
(``provider``, ``status``) and each list's size is ``agtos_provider_catalog_models_count``.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client import Counter, Gauge

from agentdeck.metrics import REGISTRY
from agentdeck.providers import ModelInfo, Pricing, Provider, ProviderError
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.router import ProviderCatalog, upsert
from agentdeck.timeutil import utcnow

TTL_SECONDS = 3600.0
FAILURE_TTL_SECONDS = 60.0
#: Capability words clients use, by the word ``ModelInfo.capabilities`` uses.
_ALIASES = {"tool-use": "tools", "tool_use": "tools", "tool-calling": "tools",
            "tool_calling": "tools", "image": "vision", "reasoning": "thinking"}

FETCHES = Counter("agtos_provider_catalog_fetch", "Provider catalog refresh attempts",
                  ["provider", "status"], registry=REGISTRY)
MODEL_COUNT = Gauge("agtos_provider_catalog_models_count", "Current model count per provider",
                    ["provider"], registry=REGISTRY, multiprocess_mode="mostrecent")


@dataclass(frozen=True)
class CatalogModel(ModelInfo):
    """A ``ModelInfo`` of the aggregated catalog: also which provider lists it."""

    provider: str = ""


@dataclass
class ProviderModels:
    """One provider's part of the catalog: its models, how long the fetch took, or its error."""

    provider: str
    models: list[CatalogModel] = field(default_factory=list)
    latency_ms: int | None = None
    error: str | None = None
    fetched_at: str | None = None


def capability_words(capabilities) -> tuple[str, ...]:
    """Requested capabilities in ``ModelInfo``'s words (``tool-use`` is ``tools``)."""
    return tuple(_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in capabilities if c.strip())


def has_all(model: ModelInfo, wanted: tuple[str, ...]) -> bool:
    """Whether ``model`` has every capability in ``wanted`` (AND)."""
    return set(wanted) <= set(model.capabilities)


async def provider_models(provider: str, source: str, make: callable, *,
                          refresh: bool) -> ProviderModels:
    """``provider``'s cached list when fresh for ``source``, else fetched with ``make()`` (a
    ``Provider``) and stored."""
    if not refresh:
        cached = await asyncio.to_thread(_cached, provider, source)
        if cached is not None:
            return cached
    started = time.monotonic()
    try:
        instance: Provider = make()
        models = await instance.list_models()
        error = None
    except ProviderError as exc:
        models, error = [], exc.message
    latency = int((time.monotonic() - started) * 1000)
    FETCHES.labels(provider, "error" if error else "success").inc()
    if error is None:
        MODEL_COUNT.labels(provider).set(len(models))
    entry = ProviderModels(provider, [_tagged(m, provider) for m in models], latency, error)
    await asyncio.to_thread(_store, entry, source)
    return entry


@gives_back_connection
def _cached(provider: str, source: str) -> ProviderModels | None:
    row = ProviderCatalog.get_or_none(ProviderCatalog.provider == provider)
    if row is None or row.source != source:
        return None
    ttl = FAILURE_TTL_SECONDS if row.error else TTL_SECONDS
    if row.fetched_at < utcnow() - timedelta(seconds=ttl):
        return None
    return ProviderModels(provider, [_from_json(m, provider) for m in row.models], row.latency_ms,
                          row.error, row.fetched_at.isoformat() + "Z")


@gives_back_connection
def _store(entry: ProviderModels, source: str) -> None:
    now = utcnow()
    entry.fetched_at = now.isoformat() + "Z"
    with writing():
        upsert(ProviderCatalog, provider=entry.provider, source=source, fetched_at=now,
               models=[ModelInfo.to_dict(m) for m in entry.models],
               latency_ms=entry.latency_ms, error=entry.error)


def _tagged(model: ModelInfo, provider: str) -> CatalogModel:
    return CatalogModel(model.id, model.name, model.context_length, model.max_output,
                        tuple(model.capabilities), model.pricing, model.deprecation_date, provider)


def _from_json(data: dict, provider: str) -> CatalogModel:
    pricing = data.get("pricing")
    return CatalogModel(data["id"], data.get("name"), data.get("context_length"),
                        data.get("max_output"), tuple(data.get("capabilities") or ()),
                        Pricing(**pricing) if pricing else None, data.get("deprecation_date"),
                        provider)
