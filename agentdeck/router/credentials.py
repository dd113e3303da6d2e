"""Provider API keys: stored sealed (AES-256-GCM, ``agentdeck.secretbox``), never returned or logged.

Keys live in the database, so a key stored through one worker is used by every worker on its next
call: the router reads them per call, with no restart. Provider ids are the router's (``claude``,
``openai``, ``openrouter``, ``ollama`` or a plugin's name); the agtOS scopes
(``provider-anthropic`` ...) are accepted too.
"""
from __future__ import annotations

from agentdeck import secretbox
from agentdeck.errors import InvalidInput
from agentdeck.router.upstreams import provider_id
from agentdeck.storage.db import writing
from agentdeck.storage.models.router import ProviderCredential
from agentdeck.timeutil import utcnow

MAX_KEY_LENGTH = 256


def set_key(provider: str, key: str) -> None:
    """Store (or replace) ``provider``'s key; raises ``InvalidInput`` for an empty or long key."""
    pid = provider_id(provider)
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput("the API key is empty")
    if len(key) > MAX_KEY_LENGTH or any(c in key for c in "\r\n\0"):
        raise InvalidInput(f"the API key must be one line of at most {MAX_KEY_LENGTH} characters")
    sealed = secretbox.seal(key.strip())
    with writing():
        updated = (ProviderCredential.update(sealed_key=sealed, updated_at=utcnow())
                   .where(ProviderCredential.provider == pid).execute())
        if not updated:
            ProviderCredential.create(provider=pid, sealed_key=sealed)


def delete_key(provider: str) -> bool:
    """Forget ``provider``'s key; True when there was one."""
    with writing():
        return bool(ProviderCredential.delete()
                    .where(ProviderCredential.provider == provider_id(provider)).execute())


def delete_all() -> int:
    """Forget every stored key; returns how many there were."""
    with writing():
        return ProviderCredential.delete().execute()


def has_key(provider: str) -> bool:
    """Whether a key is stored for ``provider``."""
    return (ProviderCredential.select(ProviderCredential.provider)
            .where(ProviderCredential.provider == provider_id(provider)).exists())


def configured_providers() -> list[str]:
    """Providers with a stored key, sorted by id."""
    return sorted(row.provider for row in ProviderCredential.select(ProviderCredential.provider))


def get_key(provider: str) -> str | None:
    """``provider``'s key in plain text, for building its client (None when there is none).

    Only the router calls this; nothing may log, return or store what it gives.
    """
    row = ProviderCredential.get_or_none(ProviderCredential.provider == provider_id(provider))
    return secretbox.unseal(row.sealed_key) if row is not None else None


def all_keys() -> dict[str, str]:
    """Every stored key in plain text by provider (one query; the router's per-call read)."""
    return {row.provider: secretbox.unseal(row.sealed_key) for row in ProviderCredential.select()}
