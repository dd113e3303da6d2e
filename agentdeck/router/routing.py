"""Routing one call: the candidates a slot's call may go to, and the fallback rules between them.

A slot's candidates are the slot itself, then the slots of its ``fallback`` chain, then what the
fallback strategy adds (``cloud-backup``: each other cloud provider with a stored key;
``ollama-local``: Ollama; ``none``: nothing), then the last resort: a reachable Ollama, else
``echo``. The last resort is left out when the strategy is ``none``, except while the slots are
the fresh-install defaults, which always end in it. Providers marked exhausted are skipped.

A candidate's failure moves the call on to the next candidate when it is a timeout, a connection
failure, a 5xx or a 429 (``ProviderError.retryable``), or "out of credit" (402 and the like),
which also marks the provider exhausted. Any other error of the first candidate (a bad key, a bad
request) is the caller's to see and is raised as it is; a later candidate's is noted and passed.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from agentdeck.errors import NotFound, UpstreamFailure
from agentdeck.providers import ProviderError, ProviderOutOfCredit
from agentdeck.router import billing, credentials, slots as slot_config, upstreams
from agentdeck.router.slots import BUILT_IN, Slot
from agentdeck.storage.db import gives_back_connection
from agentdeck.storage.models.router import RouterSetting

STRATEGIES = ("cloud-backup", "ollama-local", "none")
LOCAL_MODEL = ""  # the model of the last-resort Ollama: whichever it lists first
DEFAULT_STRATEGY = "cloud-backup"


class UnknownSlot(NotFound):
    """A call named a slot that is neither configured nor built in (404)."""


class AllProvidersFailed(UpstreamFailure):
    """Every candidate of a call failed or was skipped; ``attempts`` says which and why, each
    ``{"slot", "provider", "model", "kind", "message"}``; ``slot`` is the slot called."""

    def __init__(self, slot: str, attempts: list[dict]):
        said = "; ".join(f"{a['provider']} ({a['model']}): {a['message']}" for a in attempts)
        super().__init__(f"every provider for slot {slot!r} failed: {said or 'no candidates'}")
        self.slot = slot
        self.attempts = attempts


@dataclass(frozen=True)
class Candidate:
    """One place a call may go: the slot it came from, provider, model, temperature."""

    slot: str
    provider: str
    model: str
    temperature: float | None = None

    def options(self, options: dict | None) -> dict | None:
        """The call's options with the slot's temperature, unless the caller set one."""
        if self.temperature is None or (options and "temperature" in options):
            return options
        return {**(options or {}), "temperature": self.temperature}


@dataclass
class Plan:
    """What a call needs from the database, read in one go: its candidates, keys, exhausted set."""

    slot: str
    candidates: list[Candidate]
    keys: dict[str, str]
    exhausted: set[str] = field(default_factory=set)


@dataclass
class Configuration:
    """The slots in force, and whether they are the fresh-install defaults."""

    slots: dict[str, Slot]
    automatic: bool
    strategy: str
    ollama_model: str | None


def read_strategy(stored: dict | None = None) -> tuple[str, str | None]:
    """The stored fallback strategy and the Ollama model it uses (defaults when none stored);
    from ``stored`` (a ``RouterSetting`` value) when given, else from the database."""
    if stored is None:
        row = RouterSetting.get_or_none(RouterSetting.key == "fallback_strategy")
        stored = row.value if row is not None else {}
    return stored.get("strategy") or DEFAULT_STRATEGY, stored.get("ollama_model")


def configuration(keys: list[str]) -> Configuration:
    """The slots in force now, given the providers with a stored key (one query)."""
    settings = {row.key: row.value for row in RouterSetting.select().where(
        RouterSetting.key.in_(("slots", "fallback_strategy")))}
    stored = slot_config.slots_from(settings.get("slots"))
    strategy, ollama_model = read_strategy(settings.get("fallback_strategy") or {})
    if stored is None:
        return Configuration(slot_config.default_slots(keys), True, strategy, ollama_model)
    return Configuration(stored, False, strategy, ollama_model)


@gives_back_connection
def plan(slot_name: str) -> Plan:
    """The candidates of a call to ``slot_name`` with the keys to call them (blocking)."""
    keys = credentials.all_keys()
    config = configuration(list(keys))
    slot = config.slots.get(slot_name)
    if slot is None:
        if slot_name not in BUILT_IN:
            raise UnknownSlot(f"no slot named {slot_name!r}")
        slot = config.slots["chat"]  # a built-in slot not configured answers as chat
    found = _chain(slot, config.slots)
    found += _strategy_candidates(slot_name, found, config, keys)
    if config.automatic or config.strategy != "none":
        found += _last_resort(slot, found)
    unique, seen = [], set()
    for candidate in found:
        if (candidate.provider, candidate.model) not in seen:
            seen.add((candidate.provider, candidate.model))
            unique.append(candidate)
    return Plan(slot_name, unique, keys, billing.exhausted_now())


def _last_resort(slot: Slot, found: list[Candidate]) -> list[Candidate]:
    # Ollama's model is left open (LOCAL_MODEL): it is asked for only if the call gets that far.
    local = [] if any(c.provider == "ollama" for c in found) else [
        Candidate(slot.name, "ollama", LOCAL_MODEL)]
    return local + [Candidate(slot.name, "echo", slot_config.ECHO_MODEL)]


async def resolved(candidate: Candidate) -> Candidate | None:
    """``candidate`` ready to call: a last-resort Ollama gets the first model it lists, or is
    None (passed over, and not counted as a fallback) when Ollama is not reachable."""
    if candidate.model != LOCAL_MODEL:
        return candidate
    model = await asyncio.to_thread(upstreams.ollama_first_model)
    return None if model is None else Candidate(candidate.slot, "ollama", model,
                                                candidate.temperature)


def _chain(slot: Slot, slots: dict[str, Slot]) -> list[Candidate]:
    out, seen = [], set()
    current: Slot | None = slot
    while current is not None and current.name not in seen:
        seen.add(current.name)
        out.append(Candidate(current.name, current.provider, current.model, current.temperature))
        current = slots.get(current.fallback) if current.fallback else None
    return out


def _strategy_candidates(slot_name: str, chain: list[Candidate], config: Configuration,
                         keys: dict[str, str]) -> list[Candidate]:
    tried = {c.provider for c in chain}
    origin = chain[0]
    if config.strategy == "cloud-backup":
        return [Candidate(origin.slot, p, slot_config.model_for(p, slot_name), origin.temperature)
                for p in upstreams.CLOUD if p in keys and p not in tried]
    if config.strategy == "ollama-local" and "ollama" not in tried:
        return [Candidate(origin.slot, "ollama", config.ollama_model or LOCAL_MODEL,
                          origin.temperature)]
    return []


def falls_back(error: ProviderError) -> bool:
    """Whether ``error`` moves a call on to its next candidate."""
    return error.retryable or isinstance(error, ProviderOutOfCredit)


def attempt(candidate: Candidate, kind: str, message: str) -> dict:
    """One entry of ``AllProvidersFailed.attempts``."""
    return {"slot": candidate.slot, "provider": candidate.provider, "model": candidate.model,
            "kind": kind, "message": message}
