"""Configured ``Provider`` instances, reused across calls so their connection pools are.

An instance is kept per event loop (an HTTP client's connections belong to the loop that opened
them) and per key and base URL: a new key or URL builds a new instance on the next call.
"""
from __future__ import annotations

import asyncio
import hashlib
import weakref

from agentdeck.providers import Provider
from agentdeck.router import upstreams


def fingerprint(provider: str, api_key: str | None) -> str:
    """A short digest of where ``provider`` is reached and with which key (never the key)."""
    url = upstreams.base_url(upstreams.upstream(provider)) or ""
    return hashlib.sha256(f"{provider}\0{url}\0{api_key or ''}".encode()).hexdigest()[:32]


class ProviderPool:
    """``get(provider, key)`` returns the loop's instance for that provider, key and URL."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def get(self, provider: str, api_key: str | None) -> Provider:
        """The instance to call ``provider`` with now."""
        loop = asyncio.get_running_loop()
        instances = self._by_loop.setdefault(loop, {})
        key = fingerprint(provider, api_key)
        current = instances.get(provider)
        if current is not None and current[0] == key:
            return current[1]
        instance = upstreams.build_provider(provider, api_key, timeout=self.timeout)
        instances[provider] = (key, instance)
        if current is not None:
            # The old instance may still serve a stream in flight: close it once that is done.
            loop.call_later(self.timeout + 5, lambda old=current[1]: loop.create_task(old.aclose()))
        return instance

    async def aclose(self) -> None:
        """Close this loop's instances."""
        instances = self._by_loop.pop(asyncio.get_running_loop(), {})
        for _, instance in instances.values():
            await instance.aclose()
