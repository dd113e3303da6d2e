"""agtOS provider catalog and account: the router's aggregated catalog in the reference's shape."""
from __future__ import annotations

import asyncio

from agentdeck.errors import NotFound
from agentdeck.providers import ProviderError
from agentdeck.router import get_router
from agentdeck.router.upstreams import KNOWN

#: ``ModelInfo`` capability words as agtOS clients spell them.
_CAPABILITY_WORDS = {"tools": "tool-use"}


def _model_document(model) -> dict:
    document = {"id": model.id, "name": model.name or model.id,
                "capabilities": [_CAPABILITY_WORDS.get(c, c) for c in model.capabilities]}
    if model.context_length is not None:
        document["contextLength"] = model.context_length
    if model.max_output is not None:
        document["maxOutputTokens"] = model.max_output
    if model.pricing is not None:
        document["pricing"] = {"inputPer1M": model.pricing.input, "outputPer1M": model.pricing.output}
    if model.deprecation_date:
        document["deprecatedAt"] = f"{str(model.deprecation_date)[:10]}T00:00:00Z"
    return document


def _provider_document(entry) -> dict:
    document = {"providerId": entry.provider, "models": [_model_document(m) for m in entry.models],
                "latencyMs": entry.latency_ms}
    if entry.error is not None:
        document["error"] = entry.error
    return document


async def catalog_document(refresh: bool, capability: str | None) -> dict:
    """Every configured provider's models (``capability``: comma-separated, all required)."""
    router = get_router()
    wanted = tuple(c for c in (capability or "").split(",") if c.strip())
    entries = await router.catalog_providers(refresh=refresh, capabilities=wanted)
    providers = [_provider_document(entry) for entry in entries]
    ids = list(dict.fromkeys([*KNOWN, *(entry.provider for entry in entries)]))
    return {"providers": providers, "count": sum(len(p["models"]) for p in providers),
            "providerIds": ids}


async def account_document(provider_id: str) -> dict:
    """Credit balance behind ``provider_id``'s key; ``NotFound`` where the upstream cannot say."""
    try:
        info = await get_router().account(provider_id)
    except ProviderError:
        info = None
    if info is None or info.balance is None:
        raise NotFound("Provider not configured or does not support account info")
    document = {"creditBalance": info.balance, "creditCurrency": info.currency}
    for key, value in (("totalCredits", info.total_credits), ("totalUsage", info.total_usage)):
        if value is not None:
            document[key] = value
    return document
