"""agtOS billing: which providers are out of credit (shared by every worker), and retrying one."""
from __future__ import annotations

from agentdeck.router import get_router
from agentdeck.storage.db import gives_back_connection


@gives_back_connection
def billing_document() -> dict:
    """Per provider: ``exhausted``, ``billingUrl``, ``fallbackActive`` (calls go past it) and,
    while exhausted, ``since``, ``until`` (None: until retried) and ``reason``; the strategy."""
    router = get_router()
    providers = {}
    for provider, state in router.billing().items():
        document = {"exhausted": state["exhausted"], "fallbackActive": state["exhausted"]}
        if state.get("billingUrl"):
            document["billingUrl"] = state["billingUrl"]
        if state["exhausted"]:
            document.update({"since": state["since"], "until": state["until"], "reason": state["reason"]})
        providers[provider] = document
    return {"providers": providers, "strategy": router.fallback_strategy()}


@gives_back_connection
def retry_provider(provider_id: str) -> dict:
    """Clear ``provider_id``'s exhaustion; ``NotFound`` for a provider that does not exist."""
    get_router().retry_provider(provider_id)
    return {"success": True, "provider": provider_id, "exhausted": False}
