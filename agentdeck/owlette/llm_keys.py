"""LLM keys for cortex: each user's own, and a site's (set by its admins), sealed at rest and
never returned. Cortex uses the user's key first, then the site's."""
from __future__ import annotations

from agentdeck import secretbox
from agentdeck.errors import InvalidInput
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette_alerts import OwletteLlmKey
from agentdeck.timeutil import to_iso, utcnow

PROVIDERS = ("anthropic", "openai")
DEFAULT_MODELS = {"anthropic": "claude-sonnet-4-20250514", "openai": "gpt-4o"}


def set_key(scope: str, owner: str, provider: str, api_key: str, model: str | None = None) -> dict:
    """Store (or replace) the key of a user (``scope="user"``) or a site (``"site"``)."""
    if provider not in PROVIDERS:
        raise InvalidInput(f"provider must be one of {', '.join(PROVIDERS)}")
    api_key = api_key.strip()
    if not api_key or not api_key.isascii() or not api_key.isprintable():
        raise InvalidInput("apiKey must be printable ASCII")
    with writing():
        OwletteLlmKey.delete().where((OwletteLlmKey.scope == scope) & (OwletteLlmKey.owner == owner)).execute()
        OwletteLlmKey.create(scope=scope, owner=owner, provider=provider, api_key=secretbox.seal(api_key),
                             model=model or None, updated_at=utcnow())
    return status(scope, owner)


def status(scope: str, owner: str) -> dict:
    """``{configured, provider, model, updatedAt}`` — never the key."""
    row = OwletteLlmKey.get_or_none((OwletteLlmKey.scope == scope) & (OwletteLlmKey.owner == owner))
    if row is None:
        return {"configured": False, "provider": None, "model": None, "updatedAt": None}
    return {"configured": True, "provider": row.provider, "model": row.model, "updatedAt": to_iso(row.updated_at)}


def delete_key(scope: str, owner: str) -> bool:
    """Remove the key; True when there was one."""
    with writing():
        return bool(OwletteLlmKey.delete().where((OwletteLlmKey.scope == scope)
                                                 & (OwletteLlmKey.owner == owner)).execute())


def site_key(site_id: str) -> dict | None:
    """The site's own key (what cortex uses when no user asks: autonomous investigations)."""
    return _key("site", site_id)


def _key(scope: str, owner: str) -> dict | None:
    row = OwletteLlmKey.get_or_none((OwletteLlmKey.scope == scope) & (OwletteLlmKey.owner == owner))
    if row is None:
        return None
    return {"provider": row.provider, "apiKey": secretbox.unseal(row.api_key),
            "model": row.model or DEFAULT_MODELS[row.provider], "source": scope}


def resolve(user_id: str, site_id: str) -> dict | None:
    """The key cortex uses for ``user_id`` at ``site_id``: the user's, else the site's, else None.
    ``{provider, apiKey, model, source}``."""
    return _key("user", user_id) or _key("site", site_id)
