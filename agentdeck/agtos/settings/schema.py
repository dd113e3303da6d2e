"""agtOS's writable settings: each key's type, default, constraints, reload type and category.

This is the one description of the keys: ``PUT /api/settings`` and ``PUT /api/config`` validate
against it, ``GET /api/settings/schema`` publishes it. ``reloadType`` is ``immediate`` (every
worker uses the new value within a second, see ``store``) or ``provider-restart`` (stored now,
used when the provider is next started).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Callable

IMMEDIATE = "immediate"
PROVIDER_RESTART = "provider-restart"
CATEGORIES = ("tts", "stt", "llm", "system", "memory", "vad", "audio", "privacy", "desktop")
LOG_LEVELS = ("trace", "debug", "info", "warn", "error", "fatal")
MAX_STRING = 200


@dataclass(frozen=True)
class Key:
    """One writable key. ``type`` is ``string``, ``number``, ``integer`` or ``enum``."""

    name: str
    env: str
    type: str
    description: str
    reload: str
    category: str
    default: Any
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()
    # Where the default comes from when it is not the constant above (agentdeck's own setting).
    default_from: Callable[[], Any] | None = field(default=None, compare=False)

    def constraints(self) -> dict:
        out: dict = {}
        if self.type == "enum":
            out["options"] = list(self.options)
        if self.type == "string":
            out["minLength"], out["maxLength"] = 1, MAX_STRING
        for name in ("min", "max", "step"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out

    def default_value(self) -> Any:
        """The value of a key never written: its environment variable when set and valid, else
        the default (for the rate limits, agentdeck's ``API_RATE_LIMIT`` / ``CHAT_RATE_LIMIT``)."""
        raw = os.environ.get(self.env)
        if raw not in (None, ""):
            try:
                return self.check(coerce(self, raw))
            except ValueError:
                pass
        return self.default_from() if self.default_from else self.default

    def check(self, value: Any) -> Any:
        """``value`` when it is valid for this key (ints of a ``number`` key stay ints); else
        ValueError with the message a client sees."""
        if self.type in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"Expected number, received {_kind(value)}")
            if self.type == "integer" and value != int(value):
                raise ValueError("Expected integer, received float")
            if self.min is not None and value < self.min:
                raise ValueError(f"Number must be greater than or equal to {_num(self.min)}")
            if self.max is not None and value > self.max:
                raise ValueError(f"Number must be less than or equal to {_num(self.max)}")
            if self.step is not None and abs(value / self.step - round(value / self.step)) > 1e-9:
                raise ValueError(f"Number must be a multiple of {_num(self.step)}")
            return int(value) if self.type == "integer" else value
        if not isinstance(value, str):
            raise ValueError(f"Expected string, received {_kind(value)}")
        if self.type == "enum":
            if value not in self.options:
                expected = " | ".join(f"'{o}'" for o in self.options)
                raise ValueError(f"Invalid enum value. Expected {expected}, received '{value}'")
            return value
        if not value.strip():
            raise ValueError("String must contain at least 1 character(s)")
        if len(value) > MAX_STRING:
            raise ValueError(f"String must contain at most {MAX_STRING} character(s)")
        return value

    def describe(self) -> dict:
        return {"type": self.type, "description": self.description, "reloadType": self.reload,
                "category": self.category, "constraints": self.constraints()}


def coerce(key: Key, value: Any) -> Any:
    """A legacy ``PUT /api/config`` value, which may be a string as an environment variable is:
    a numeric key's string is read as a number (``"1.2"`` → 1.2); anything else is unchanged."""
    if key.type in ("number", "integer") and isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return value
        return int(number) if number.is_integer() and key.type == "integer" else number
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _api_limit() -> int:
    from agentdeck.settings import get_settings
    return get_settings().agtos_api_rate_limit


def _chat_limit() -> int:
    from agentdeck.settings import get_settings
    return get_settings().agtos_chat_rate_limit


KEYS: dict[str, Key] = {k.name: k for k in (
    Key("ttsVoice", "AGTOS_TTS_VOICE", "string", "TTS voice name (e.g. \"af_heart\", \"nova\")",
        IMMEDIATE, "tts", "af_heart"),
    Key("ttsSpeed", "AGTOS_TTS_SPEED", "number", "TTS speech speed (0.5–2.0)",
        IMMEDIATE, "tts", 1.0, min=0.5, max=2.0, step=0.1),
    Key("sttLanguage", "AGTOS_STT_LANGUAGE", "string", "Speech-to-text language code (e.g. \"en\")",
        PROVIDER_RESTART, "stt", "en"),
    Key("sttModel", "AGTOS_STT_MODEL", "string", "Speech-to-text model id",
        PROVIDER_RESTART, "stt", "moonshine-tiny-en-v2"),
    Key("llmProvider", "AGTOS_LLM_PROVIDER", "enum", "Primary LLM provider",
        PROVIDER_RESTART, "llm", "auto", options=("claude", "ollama", "auto")),
    Key("llmModel", "AGTOS_LLM_MODEL", "string", "Primary LLM model",
        PROVIDER_RESTART, "llm", "claude-sonnet-4-20250514"),
    Key("apiRateLimit", "AGTOS_API_RATE_LIMIT", "integer", "Requests a minute each client may make to /api/* (1–1000)",
        IMMEDIATE, "system", 100, min=1, max=1000, default_from=_api_limit),
    Key("chatRateLimit", "AGTOS_CHAT_RATE_LIMIT", "integer",
        "Requests a minute each client may make to /api/chat, /api/tasks and /api/credentials (1–100)",
        IMMEDIATE, "system", 20, min=1, max=100, default_from=_chat_limit),
    Key("memorySearchMode", "AGTOS_MEMORY_SEARCH_MODE", "enum", "How memory search ranks results",
        IMMEDIATE, "memory", "hybrid", options=("hybrid", "vector", "bm25")),
    Key("memoryRetentionDays", "AGTOS_MEMORY_RETENTION_DAYS", "integer", "Days episodic memory is kept (1–365)",
        IMMEDIATE, "memory", 30, min=1, max=365),
    Key("vadThreshold", "AGTOS_VAD_THRESHOLD", "number", "Voice activity detection threshold (0.0–1.0)",
        IMMEDIATE, "vad", 0.3, min=0.0, max=1.0),
    Key("logLevel", "LOG_LEVEL", "enum", "Log level", IMMEDIATE, "system", "info", options=LOG_LEVELS),
)}

# The keys the legacy ``PUT /api/config`` may write (the reference's whitelist).
LEGACY_WRITABLE = ("ttsVoice", "ttsSpeed", "sttLanguage", "sttModel", "logLevel", "apiRateLimit", "chatRateLimit")
