"""Slots: named capabilities, each routed to a provider and model, kept in the database.

Built-in names are ``BUILT_IN`` (``chat`` is required); any other name matching ``NAME`` is a
custom slot. A slot's ``fallback`` names another slot, tried when this one's provider fails.

The fresh-install rule (no slot configuration stored, or after ``reset``): every built-in slot
goes to the *default provider*, which is the first cloud provider with a stored key (``claude``,
``openai``, ``openrouter``, in that order), else a reachable Ollama with its first model, else
``echo``; every slot but ``chat`` falls back to ``chat``, and ``chat`` itself falls back to
``echo`` as a last resort, so a fresh install always answers.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from agentdeck.errors import InvalidInput
from agentdeck.providers.errors import ProviderNotInstalled
from agentdeck.router import upstreams
from agentdeck.storage.db import writing
from agentdeck.storage.models.router import RouterSetting, upsert
from agentdeck.timeutil import utcnow

BUILT_IN = ("chat", "reasoning", "coding", "tool_calling", "creative", "maintenance")
NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_FIELDS = {"provider", "model", "temperature", "fallback"}
ECHO_MODEL = "echo-1"
OLLAMA_MODEL = "llama3.2"  # when Ollama cannot be asked which models it has
#: Models per slot where a provider's default model is not the best fit.
_SLOT_MODELS = {
    "claude": {"maintenance": "claude-3-5-haiku-20241022"},
    "openai": {"reasoning": "o3-mini", "maintenance": "gpt-4o-mini"},
    "openrouter": {"chat": "anthropic/claude-sonnet-4", "coding": "anthropic/claude-sonnet-4"},
}
_TEMPERATURES = {"chat": 0.7, "reasoning": 0.3, "coding": 0.2, "tool_calling": 0.2,
                 "creative": 0.9, "maintenance": 0.2}


@dataclass
class Slot:
    """One slot: which provider and model answer it, at what temperature, and what to try next."""

    name: str
    provider: str
    model: str
    temperature: float | None = None
    fallback: str | None = None

    def to_dict(self) -> dict:
        """The slot as stored and shown: ``{provider, model, temperature?, fallback?}``."""
        data = asdict(self)
        del data["name"]
        return {k: v for k, v in data.items() if v is not None}


class DeprecatedModel(InvalidInput):
    """A slot names a model its provider has retired (400); ``body`` is the documented error body:
    ``{"error": "Deprecated model(s)", "message": "Cannot use retired models", "deprecated":
    [{"slot", "model", "deprecatedAt"}]}``."""

    def __init__(self, deprecated: list[dict]):
        super().__init__("Cannot use retired models")
        self.deprecated = deprecated
        self.body = {"error": "Deprecated model(s)", "message": "Cannot use retired models",
                     "deprecated": deprecated}


def stored_slots() -> dict[str, Slot] | None:
    """The slot configuration in the database, or None when none is stored (fresh or reset)."""
    row = RouterSetting.get_or_none(RouterSetting.key == "slots")
    return slots_from(row.value if row is not None else None)


def slots_from(stored: dict | None) -> dict[str, Slot] | None:
    """``Slot``s from a stored configuration (None stays None)."""
    if stored is None:
        return None
    return {name: Slot(name, **fields) for name, fields in stored.items()}


def save_slots(slots: dict[str, Slot] | None) -> None:
    """Store ``slots`` (None: forget them, so the fresh-install defaults apply again)."""
    with writing():
        if slots is None:
            RouterSetting.delete().where(RouterSetting.key == "slots").execute()
        else:
            upsert(RouterSetting, key="slots", updated_at=utcnow(),
                   value={name: slot.to_dict() for name, slot in slots.items()})


def model_for(provider: str, slot: str, ollama_model: str | None = None) -> str:
    """The model a preset or default gives ``slot`` on ``provider``."""
    if provider == "ollama":
        return ollama_model or upstreams.ollama_first_model() or OLLAMA_MODEL
    if provider == "echo":
        return ECHO_MODEL
    chosen = _SLOT_MODELS.get(provider, {}).get(slot)
    return chosen or upstreams.upstream(provider).default_model or ECHO_MODEL


def default_provider(keyed: list[str]) -> tuple[str, str | None]:
    """The fresh-install provider (see the module docstring) and, for Ollama, its model."""
    for provider in upstreams.CLOUD:
        if provider in keyed:
            return provider, None
    model = upstreams.ollama_first_model()
    if model is not None:
        return "ollama", model
    return "echo", ECHO_MODEL


def default_slots(keyed: list[str]) -> dict[str, Slot]:
    """The built-in slots of a fresh install, given the providers with a stored key."""
    provider, ollama_model = default_provider(keyed)
    return {name: Slot(name, provider, model_for(provider, name, ollama_model), _TEMPERATURES[name],
                       None if name == "chat" else "chat")
            for name in BUILT_IN}


def preset_slots(mode: str, cloud: str, ollama_model: str | None) -> dict[str, Slot]:
    """The slots of an auto-configure preset: ``cloud`` (every slot on ``cloud``), ``local``
    (every slot on Ollama) or ``hybrid`` (Ollama for ``maintenance``, the cloud for the rest)."""
    slots = {}
    for name in BUILT_IN:
        provider = {"cloud": cloud, "local": "ollama"}.get(mode)
        if mode == "hybrid":
            provider = "ollama" if name == "maintenance" else cloud
        slots[name] = Slot(name, provider, model_for(provider, name, ollama_model),
                           _TEMPERATURES[name], None if name == "chat" else "chat")
    return slots


def parse_slots(raw: dict) -> dict[str, Slot]:
    """Check a slot configuration's structure and turn it into ``Slot``s; raises ``InvalidInput``.

    Rules: an object of slots by name; ``chat`` present; names match ``NAME``; each slot has a
    known ``provider`` and a non-empty ``model``, an optional ``temperature`` in 0-2 and an
    optional ``fallback`` naming another slot of the same configuration, with no cycle.
    """
    if not isinstance(raw, dict) or not raw:
        raise InvalidInput("the slot configuration must be an object of slots by name")
    if "chat" not in raw:
        raise InvalidInput("the chat slot is required")
    known = upstreams.known_providers()
    slots = {name: _parse_slot(name, fields, known) for name, fields in raw.items()}
    for slot in slots.values():
        _check_fallback(slot, slots)
    return slots


def _parse_slot(name, fields, known: list[str]) -> Slot:
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidInput(f"slot name {name!r} must be 1-64 letters, digits, '_' or '-'")
    if not isinstance(fields, dict):
        raise InvalidInput(f"slot {name!r} must be an object")
    extra = set(fields) - _FIELDS
    if extra:
        raise InvalidInput(f"slot {name!r} has unknown field(s): {', '.join(sorted(extra))}")
    provider, model = fields.get("provider"), fields.get("model")
    if not isinstance(provider, str) or upstreams.provider_id(provider) not in known:
        raise InvalidInput(f"slot {name!r}: provider must be one of {', '.join(known)}")
    if not isinstance(model, str) or not model.strip():
        raise InvalidInput(f"slot {name!r}: model must be a non-empty string")
    temperature = fields.get("temperature")
    if temperature is not None and (isinstance(temperature, bool)
                                    or not isinstance(temperature, (int, float))
                                    or not 0 <= temperature <= 2):
        raise InvalidInput(f"slot {name!r}: temperature must be a number from 0 to 2")
    fallback = fields.get("fallback")
    if fallback is not None and not isinstance(fallback, str):
        raise InvalidInput(f"slot {name!r}: fallback must name another slot")
    return Slot(name, upstreams.provider_id(provider), model.strip(),
                None if temperature is None else float(temperature), fallback or None)


def _check_fallback(slot: Slot, slots: dict[str, Slot]) -> None:
    seen = {slot.name}
    current = slot
    while current.fallback is not None:
        if current.fallback not in slots:
            raise InvalidInput(f"slot {current.name!r}: fallback {current.fallback!r} is not a slot")
        if current.fallback in seen:
            raise InvalidInput(f"slot {slot.name!r}: the fallback chain loops back to {current.fallback!r}")
        seen.add(current.fallback)
        current = slots[current.fallback]


def check_provider(provider: str) -> str:
    """``provider`` as a router id; raises ``InvalidInput`` when no such provider exists."""
    try:
        return upstreams.upstream(upstreams.provider_id(provider)).id
    except ProviderNotInstalled as exc:
        raise InvalidInput(exc.message) from None
