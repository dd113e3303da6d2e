"""Checking slot models against the catalog, and assembling the catalog from its providers."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from agentdeck.router import catalog, credentials, upstreams
from agentdeck.router.catalog import ProviderModels
from agentdeck.router.pool import fingerprint
from agentdeck.router.slots import DeprecatedModel, Slot
from agentdeck.storage.db import gives_back_connection

if TYPE_CHECKING:
    from agentdeck.router import Router

UNLISTED = "not found in catalog (private / unlisted / pinned model)"
NO_KEY = "no API key stored"


async def fetch_catalog(router: "Router", *, refresh: bool, capabilities=(),
                        providers: list[str] | None = None) -> list[ProviderModels]:
    """The catalog of ``providers`` (default: ``router.catalog_provider_ids()``), filtered."""
    if providers is None:
        providers = await asyncio.to_thread(router.catalog_provider_ids)
    keys = await asyncio.to_thread(gives_back_connection(credentials.all_keys))

    async def one(provider: str) -> ProviderModels:
        key = keys.get(provider)
        if key is None and upstreams.upstream(provider).needs_key:
            # Not asked: without a key it cannot answer, and an offline host would wait it out.
            return ProviderModels(provider, error=NO_KEY)
        return await catalog.provider_models(provider, fingerprint(provider, key),
                                             lambda: router.pool.get(provider, key),
                                             refresh=refresh)

    entries = await asyncio.gather(*(one(p) for p in providers))
    wanted = catalog.capability_words(capabilities)
    if wanted:
        for entry in entries:
            entry.models = [m for m in entry.models if catalog.has_all(m, wanted)]
    return list(entries)


async def check_models(router: "Router", slots: dict[str, Slot]) -> list[dict]:
    """Warnings for ``slots``' models; raises ``DeprecatedModel`` when one is retired."""
    providers = list(dict.fromkeys(s.provider for s in slots.values()))
    entries = {e.provider: e for e in await fetch_catalog(router, refresh=False,
                                                          providers=providers)}
    warnings, retired = [], []
    today = datetime.now(timezone.utc).date()
    for slot in slots.values():
        entry = entries[slot.provider]
        if entry.error is not None:
            warnings.append({"slot": slot.name, "model": slot.model,
                             "reason": f"catalog unavailable for {slot.provider}: {entry.error}"})
            continue
        model = next((m for m in entry.models if m.id == slot.model), None)
        if model is None:
            warnings.append({"slot": slot.name, "model": slot.model, "reason": UNLISTED})
            continue
        when = _date(model.deprecation_date)
        if when is None:
            continue
        if when <= today:
            retired.append({"slot": slot.name, "model": slot.model,
                            "deprecatedAt": f"{when.isoformat()}T00:00:00Z"})
        else:
            warnings.append({"slot": slot.name, "model": slot.model,
                             "reason": f"deprecated on {when.isoformat()}"})
    if retired:
        raise DeprecatedModel(retired)
    return warnings


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
