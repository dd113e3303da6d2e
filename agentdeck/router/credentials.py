"""Provider API keys: stored sealed (AES-256-GCM, ``agentdeck.secretbox``), never returned or logged.

Keys live in the database, so a key stored through one worker is used by every worker on its next
call: the router reads them per call, with no restart. Provider ids are the router's (``claude``,
``openai``, ``openrouter``, ``ollama`` or a plugin's name); the agtOS scopes
(``provider-anthropic`` ...) are accepted too.
"""
from __future__ import annotations

import logging

from cryptography.exceptions import InvalidTag

from agentdeck import secretbox
from agentdeck.errors import InvalidInput
from agentdeck.router.upstreams import known_providers, provider_id
from agentdeck.storage.db import writing
from agentdeck.storage.models.router import ProviderCredential, upsert
from agentdeck.timeutil import utcnow

MAX_KEY_LENGTH = 256
log = logging.getLogger(__name__)


def set_key(provider: str, key: str) -> None:
    """Store (or replace) ``provider``'s key; raises ``InvalidInput`` for an unknown provider
    or an empty, multi-line, long or non-printable-ASCII key (it travels in an HTTP header)."""
    pid = provider_id(provider)
    if pid not in known_providers():
        raise InvalidInput(f"unknown provider {provider!r}")
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput("the API key is empty")
    if len(key) > MAX_KEY_LENGTH or any(c in key for c in "\r\n\0"):
        raise InvalidInput(f"the API key must be one line of at most {MAX_KEY_LENGTH} characters")
    if not all(" " <= c <= "~" for c in key.strip()):
        raise InvalidInput("the API key must be printable ASCII (it is sent in an HTTP header)")
    with writing():
        upsert(ProviderCredential, provider=pid, sealed_key=secretbox.seal(key.strip()),
               updated_at=utcnow())


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
    return _unsealed(row) if row is not None else None


def all_keys() -> dict[str, str]:
    """Every stored key in plain text by provider (one query; the router's per-call read)."""
    keys = {row.provider: _unsealed(row) for row in ProviderCredential.select()}
    return {provider: key for provider, key in keys.items() if key is not None}


def _unsealed(row: ProviderCredential) -> str | None:
    # A key sealed under another server key (AGENTDECK_SECRET_KEY changed, secret.key lost)
    # counts as absent, so calls go on to the other providers instead of all failing.
    try:
        return secretbox.unseal(row.sealed_key)
    except (ValueError, InvalidTag):
        log.warning("the stored key of provider %r cannot be decrypted with the server key; "
                    "ignored until it is stored again", row.provider)
        return None
