"""The model router: calls go to *slots* (named capabilities), slots to providers and models.

A core service with no HTTP surface of its own: the agtOS surface, Amplifier sessions and
owlette's cortex all call it. ``get_router()`` returns the process's ``Router``; every piece of
state it keeps (slots, fallback strategy, keys, exhausted providers, the catalog cache) is in the
database, so all workers agree. See docs/router.md.

The fresh-install rule: with no slot configuration stored, the ``chat`` slot (and every other
built-in slot, through ``chat``) goes to the first cloud provider with a stored key (``claude``,
``openai``, ``openrouter``), else to a reachable Ollama, else to ``echo``; ``echo`` is also its last
fallback, so a fresh install answers with no setup. Configured slots end in the same last resort
(a reachable Ollama, else ``echo``) unless the fallback strategy is ``none``.

Settings (``agentdeck.settings``): ``AGENTDECK_ROUTER_TIMEOUT`` (seconds to connect or to wait for the
next bytes from a provider, default 60), ``AGENTDECK_ROUTER_COOLDOWN`` (seconds a provider
marked out of credit is skipped before it is tried again, default 3600; 0 = until retried).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from agentdeck.errors import InvalidInput, NotFound
from agentdeck.settings import Settings
from agentdeck.providers import AccountInfo, Completion, ProviderError, ProviderOutOfCredit
from agentdeck.router import billing as exhaustion, credentials, routing, slots as slot_config
from agentdeck.router import stats as slot_stats, upstreams
from agentdeck.router.catalog import CatalogModel, ProviderModels
from agentdeck.router.pool import ProviderPool
from agentdeck.router.routing import AllProvidersFailed, UnknownSlot
from agentdeck.router.slots import BUILT_IN, DeprecatedModel, Slot
from agentdeck.router.streaming import RoutedStream
from agentdeck.router.validation import check_models, fetch_catalog
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.router import RouterSetting, upsert
from agentdeck.timeutil import to_iso, utcnow


@dataclass
class RoutedCompletion:
    """A whole reply and where it came from: the slot and provider that answered, and how many
    candidates were passed over first (``fallbacks``)."""

    completion: Completion
    slot: str
    provider: str
    model: str
    fallbacks: int


class Router:
    """Slots, routing with fallback, the catalog, billing state and stats (see the module doc)."""

    def __init__(self, *, timeout: float | None = None, cooldown: float | None = None):
        settings = Settings.from_env()  # afresh: a router is made once per process, or per test
        self.timeout = timeout if timeout is not None else settings.router_timeout
        self.cooldown = cooldown if cooldown is not None else settings.router_cooldown
        self.pool = ProviderPool(self.timeout)

    # -- slots (blocking: call from a thread in async code) ---------------------------------

    @gives_back_connection
    def get_slots(self) -> dict[str, Slot]:
        """The slots in force: the stored configuration, else the fresh-install defaults."""
        return routing.configuration(list(credentials.all_keys())).slots

    @gives_back_connection
    def fallback_strategy(self) -> str:
        """The fallback strategy in force: ``cloud-backup`` (default), ``ollama-local`` or ``none``."""
        return routing.read_strategy()[0]

    @gives_back_connection
    def reset(self) -> dict[str, Slot]:
        """Forget the stored slots (custom ones too): the fresh-install defaults apply again."""
        slot_config.save_slots(None)
        return self.get_slots()

    async def put_slots(self, slots: dict[str, dict]) -> list[dict]:
        """Replace the slot configuration; returns warnings ``{slot, model, reason}``.

        The structure is checked first (``InvalidInput``, see ``slots.parse_slots``). Then each
        model is looked up in its provider's catalog: not listed → warning, deprecated on a future
        date → warning, deprecated on a past date → ``DeprecatedModel`` and nothing is written,
        catalog not available → warning.
        """
        parsed = slot_config.parse_slots(slots)
        warnings = await check_models(self, parsed)
        await asyncio.to_thread(gives_back_connection(slot_config.save_slots), parsed)
        return warnings

    async def auto_configure(self, preset: str, fallback_strategy: str | None, *,
                             cloud_provider: str | None = None,
                             ollama_model: str | None = None) -> dict[str, Slot]:
        """Replace the slots with a preset's (``cloud``, ``local``, ``hybrid``) and set the
        fallback strategy (``cloud-backup``, ``ollama-local``, ``none``; None keeps it).

        ``cloud_provider`` (``claude``, ``openai``, ``openrouter``) defaults to the first with a
        stored key, else ``claude``; ``ollama_model`` to the first model Ollama lists.
        """
        if preset not in ("cloud", "local", "hybrid"):
            raise InvalidInput("mode must be one of cloud, local, hybrid")
        if fallback_strategy is not None and fallback_strategy not in routing.STRATEGIES:
            raise InvalidInput(f"fallbackStrategy must be one of {', '.join(routing.STRATEGIES)}")
        if cloud_provider is not None and upstreams.provider_id(cloud_provider) not in upstreams.CLOUD:
            raise InvalidInput(f"cloudProvider must be one of {', '.join(upstreams.CLOUD)}")
        return await asyncio.to_thread(self._apply_preset, preset, fallback_strategy,
                                       cloud_provider, ollama_model)

    @gives_back_connection
    def _apply_preset(self, preset, strategy, cloud_provider, ollama_model) -> dict[str, Slot]:
        keyed = credentials.configured_providers()
        cloud = upstreams.provider_id(cloud_provider) if cloud_provider else next(
            (p for p in upstreams.CLOUD if p in keyed), "claude")
        chosen = slot_config.preset_slots(preset, cloud, ollama_model)
        with writing():
            slot_config.save_slots(chosen)
            if strategy is not None or ollama_model is not None:
                current, current_model = routing.read_strategy()
                upsert(RouterSetting, key="fallback_strategy", updated_at=utcnow(),
                       value={"strategy": strategy or current,
                              "ollama_model": ollama_model or current_model})
        return chosen

    # -- calls --------------------------------------------------------------------------------

    async def complete(self, slot: str, messages: list[dict], *, tools: list[dict] | None = None,
                       options: dict | None = None) -> RoutedCompletion:
        """The whole reply from ``slot``'s first candidate that answers (see ``routing``).

        Raises ``UnknownSlot``, a ``ProviderError`` the first candidate raised that does not fall
        back, or ``AllProvidersFailed``.
        """
        plan = await asyncio.to_thread(routing.plan, slot)
        attempts: list[dict] = []
        for candidate in plan.candidates:
            if candidate.provider in plan.exhausted:
                attempts.append(routing.attempt(candidate, "exhausted", "out of credit"))
                continue
            candidate = await routing.resolved(candidate)
            if candidate is None:
                continue
            try:
                provider = self.pool.get(candidate.provider, plan.keys.get(candidate.provider))
                completion = await provider.complete(messages, model=candidate.model, tools=tools,
                                                      options=candidate.options(options))
            except ProviderError as exc:
                if not await self.falls_back(exc, candidate, first=not attempts):
                    slot_stats.record(slot, fallbacks=len(attempts), failed=True)
                    raise
                attempts.append(routing.attempt(candidate, exc.kind, exc.message))
                continue
            slot_stats.record(slot, fallbacks=len(attempts))
            return RoutedCompletion(completion, candidate.slot, candidate.provider, candidate.model,
                                    len(attempts))
        slot_stats.record(slot, fallbacks=len(attempts), failed=True)
        raise AllProvidersFailed(slot, attempts)

    def stream(self, slot: str, messages: list[dict], *, tools: list[dict] | None = None,
               options: dict | None = None) -> RoutedStream:
        """The reply from ``slot`` as provider ``StreamEvent``s (a ``RoutedStream``).

        Falls back like ``complete`` until the first token; a stream that has sent a token never
        switches model, and a later failure is raised as the provider's ``ProviderError``.
        """
        return RoutedStream(self, slot, messages, tools, options)

    async def falls_back(self, error: ProviderError, candidate: routing.Candidate, *,
                         first: bool) -> bool:
        """Whether a call moves on after ``error``; marks the provider exhausted when out of credit."""
        if isinstance(error, ProviderOutOfCredit):
            await asyncio.to_thread(gives_back_connection(exhaustion.mark_exhausted),
                                    candidate.provider, error.message, self.cooldown)
            return True
        return routing.falls_back(error) or not first

    # -- providers, catalog, billing, stats ------------------------------------------------

    async def catalog(self, *, refresh: bool = False,
                      capabilities: tuple[str, ...] = ()) -> list[CatalogModel]:
        """Every configured provider's models (each a ``ModelInfo`` with its ``provider``), with
        only those having all of ``capabilities``; cached for an hour unless ``refresh``."""
        entries = await self.catalog_providers(refresh=refresh, capabilities=capabilities)
        return [model for entry in entries for model in entry.models]

    async def catalog_providers(self, *, refresh: bool = False,
                                capabilities: tuple[str, ...] = ()) -> list[ProviderModels]:
        """The catalog per provider: models, ``latency_ms`` of the fetch, or its ``error``."""
        return await fetch_catalog(self, refresh=refresh, capabilities=capabilities)

    @gives_back_connection
    def catalog_provider_ids(self) -> list[str]:
        """The providers the catalog covers: those with a key, Ollama, and any a slot names."""
        ids = list(dict.fromkeys([*credentials.configured_providers(), "ollama",
                                  *(s.provider for s in self.get_slots().values())]))
        return ids

    async def account(self, provider_id: str) -> AccountInfo | None:
        """Credits behind ``provider_id``'s key where the upstream says (OpenRouter); None when
        the provider is not configured or cannot say. Raises the provider's ``ProviderError``
        when the upstream cannot be asked."""
        provider = upstreams.provider_id(provider_id)
        if provider not in upstreams.known_providers():
            return None
        key = await asyncio.to_thread(gives_back_connection(credentials.get_key), provider)
        if key is None and upstreams.upstream(provider).needs_key:
            return None
        return await self.pool.get(provider, key).account_info()

    def provider_ids(self) -> list[str]:
        """Every provider id a slot may name: ``claude``, ``openai``, ``openrouter``, ``ollama``,
        then the other installed provider plugins by name."""
        return upstreams.known_providers()

    async def validate_key(self, provider_id: str, key: str | None) -> tuple[bool, str]:
        """Whether ``key`` works for ``provider_id``, by a real call to that provider (its
        cheapest authenticated one), without storing it: ``(valid, reason)``."""
        provider = upstreams.provider_id(provider_id)
        if provider not in upstreams.known_providers():
            return False, f"Unknown provider: {provider_id}"
        try:
            async with upstreams.build_provider(provider, key, timeout=self.timeout) as client:
                await client.validate_credentials()
        except ProviderError as exc:
            status = f": {exc.status}" if exc.status else ""
            label = "Invalid API key" if exc.kind == "auth" else "Provider check failed"
            return False, f"{label}{status} ({exc.message})"
        return True, "API key is valid"

    @gives_back_connection
    def billing(self) -> dict:
        """Per provider (every cloud provider, and any other ever marked): ``exhausted``,
        ``since`` and ``until`` (ISO times or None; ``until`` None while exhausted means "until
        retried"), ``reason`` and ``billingUrl``."""
        marks = exhaustion.marks()
        now = utcnow()
        out = {}
        for provider in dict.fromkeys([*upstreams.CLOUD, *marks]):
            mark = marks.get(provider)
            active = mark is not None and (mark.until is None or mark.until > now)
            known = upstreams.KNOWN.get(provider)
            out[provider] = {"exhausted": active,
                             "since": to_iso(mark.since) if active else None,
                             "until": to_iso(mark.until) if active else None,
                             "reason": mark.reason if active else None,
                             "billingUrl": known.billing_url if known else None}
        return out

    @gives_back_connection
    def retry_provider(self, provider_id: str) -> None:
        """Clear ``provider_id``'s exhaustion: the next call tries it again. Raises ``NotFound``
        when no such provider exists."""
        provider = upstreams.provider_id(provider_id)
        if provider not in upstreams.known_providers():
            raise NotFound(f"Provider not configured: {provider_id}")
        exhaustion.retry(provider)

    def stats(self) -> dict[str, dict]:
        """Per slot called: ``{requests, errors, fallbackCount}``, across workers."""
        return slot_stats.slot_stats()


_router: Router | None = None


def get_router() -> Router:
    """The process's ``Router`` (settings read from the environment on first use)."""
    global _router
    if _router is None:
        _router = Router()
    return _router


def reset_router() -> None:
    """Forget the process's router, so the next ``get_router()`` reads the settings again."""
    global _router
    _router = None


__all__ = ["AllProvidersFailed", "BUILT_IN", "CatalogModel", "DeprecatedModel", "ProviderModels",
           "RoutedCompletion", "RoutedStream", "Router", "Slot", "UnknownSlot", "get_router",
           "reset_router"]
