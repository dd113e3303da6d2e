"""Validating a key against the provider's real API, without storing it."""
from __future__ import annotations

from agentdeck.errors import InvalidInput
from agentdeck.providers import ProviderError
from agentdeck.providers.errors import ProviderAuthError
from agentdeck.router import upstreams

TIMEOUT_SECONDS = 15.0


async def validate_key(scope: str, api_key: str | None) -> dict:
    """``{valid, provider, reason}`` from one real call to the provider ``scope`` names.

    Cloud providers need ``api_key`` (``InvalidInput`` without it) and are asked to check it;
    Ollama needs none and is asked for its model list.
    """
    provider = upstreams.provider_id(scope)
    needs_key = upstreams.upstream(provider).needs_key
    if needs_key and not api_key:
        raise InvalidInput("Missing or invalid field: apiKey")
    try:
        async with upstreams.build_provider(provider, api_key, timeout=TIMEOUT_SECONDS) as client:
            if needs_key:
                await client.validate_credentials()
            else:
                await client.list_models()
    except ProviderAuthError as exc:
        status = f"{exc.status} " if exc.status else ""
        return {"valid": False, "provider": scope, "reason": f"Invalid API key: {status}{exc.message}".strip()}
    except ProviderError as exc:
        return {"valid": False, "provider": scope, "reason": f"Provider not reachable: {exc.message}"}
    what = "API key is valid" if needs_key else "Provider is reachable"
    return {"valid": True, "provider": scope, "reason": f"{what} ({provider} responded)"}
