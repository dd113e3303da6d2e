"""agtOS settings: read any writable key, write several at once.

    from agentdeck.agtos.settings import store
    store.get("memorySearchMode")            # the stored value, else the key's default

Values live in the database (``agtos_setting``), so every worker and host reads the same ones.
Each process keeps what it read for at most ``REFRESH_SECONDS``: a value written on one worker is
used by every other worker within that time, and at once by the worker that wrote it. That is
what ``immediate`` means for a key (the rate limits, the log level); ``provider-restart`` keys
are stored the same way and read when a provider starts.

A write is announced as a ``config:changed`` event on the event bus, in the same transaction.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from agentdeck import eventbus
from agentdeck.agtos.settings.schema import KEYS, LEGACY_WRITABLE, coerce
from agentdeck.errors import Forbidden, InvalidInput
from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_settings import AgtosSetting
from agentdeck.timeutil import utcnow

EVENT_TOPIC = "config:changed"
REFRESH_SECONDS = 1.0
INVALID = "Invalid settings update"
_PY_LEVELS = {"trace": 5, "debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING,
              "error": logging.ERROR, "fatal": logging.CRITICAL}

_lock = threading.Lock()
_cache: dict[str, Any] = {}
_read_at = 0.0
_applied_log_level: str | None = None
_level_before = logging.WARNING


def _stored() -> dict[str, Any]:
    global _read_at, _cache
    now = time.monotonic()
    if now - _read_at < REFRESH_SECONDS:
        return _cache
    with _lock:
        if now - _read_at >= REFRESH_SECONDS:
            _cache = {row.key: row.value for row in AgtosSetting.select()}
            _read_at = time.monotonic()
            _apply(_cache)
    return _cache


def forget() -> None:
    """Read the database again on the next ``get`` (after a write, or in tests)."""
    global _read_at
    _read_at = 0.0


def _apply(stored: dict[str, Any]) -> None:
    """What an immediate key changes beyond being read: the log level of this process (back to
    the level it started with when no ``logLevel`` is stored)."""
    global _applied_log_level, _level_before
    level = stored.get("logLevel")
    if level in _PY_LEVELS and level != _applied_log_level:
        if _applied_log_level is None:
            _level_before = logging.getLogger().level
        logging.getLogger().setLevel(_PY_LEVELS[level])
        _applied_log_level = level
    elif level is None and _applied_log_level is not None:
        logging.getLogger().setLevel(_level_before)
        _applied_log_level = None


def get(key: str) -> Any:
    """The value of writable ``key``: as stored, else its default. KeyError for another key."""
    spec = KEYS[key]
    stored = _stored()
    return stored[key] if key in stored else spec.default_value()


def values() -> dict[str, Any]:
    """Every writable key's current value."""
    stored = _stored()
    return {name: stored[name] if name in stored else spec.default_value() for name, spec in KEYS.items()}


def validate(changes: Any) -> dict[str, Any]:
    """``changes`` checked against the schema; InvalidInput with every field's problem otherwise."""
    if not isinstance(changes, dict):
        raise InvalidInput(INVALID, details=[{"details": [{"field": "", "message": "Expected object"}]}])
    if not changes:
        raise InvalidInput(INVALID, details=[{"details": [{"field": "", "message": "At least one setting is required"}]}])
    problems, checked = [], {}
    for name, value in changes.items():
        spec = KEYS.get(name)
        if spec is None:
            problems.append({"field": name, "message": f"Unrecognized key: '{name}'"})
            continue
        try:
            checked[name] = spec.check(value)
        except ValueError as exc:
            problems.append({"field": name, "message": str(exc)})
    if problems:
        raise InvalidInput(INVALID, details=[{"details": problems}])
    return checked


def update(changes: Any, *, source: str = "settings") -> list[str]:
    """Validate, persist and announce ``changes`` (all or none); returns the keys written."""
    checked = validate(changes)
    now = utcnow()
    with writing():
        for name, value in checked.items():
            (AgtosSetting.insert(key=name, value=value, updated_at=now)
             .on_conflict(conflict_target=[AgtosSetting.key],
                          update={AgtosSetting.value: value, AgtosSetting.updated_at: now})
             .execute())
        eventbus.publish(EVENT_TOPIC, {"changed": list(checked), "values": checked, "source": source},
                         key="agtos-settings")
    forget()
    return list(checked)


def update_legacy(key: Any, value: Any) -> dict:
    """``PUT /api/config``: one key of the legacy whitelist (403 for any other), a string value
    read as a number for a numeric key. Returns the reference's answer."""
    if not isinstance(key, str) or key not in LEGACY_WRITABLE:
        raise Forbidden("Key is not writable", details=[{"key": key, "writable": list(LEGACY_WRITABLE)}])
    spec = KEYS[key]
    value = coerce(spec, value)
    update({key: value}, source="config")
    return {"key": key, "value": get(key), "envKey": spec.env, "applied": True, "persisted": True}


def settings_document() -> dict:
    """``GET /api/settings``: each key's value, description, reload type and category."""
    current = values()
    return {"settings": {name: {"value": current[name], "description": spec.description,
                                "reloadType": spec.reload, "category": spec.category}
                         for name, spec in KEYS.items()}}


def schema_document() -> dict:
    """``GET /api/settings/schema``."""
    return {"schema": {name: spec.describe() for name, spec in KEYS.items()}}


def writable_document() -> dict:
    """``GET /api/config/writable``: the legacy whitelist with descriptions and current values."""
    current = values()
    return {"keys": list(LEGACY_WRITABLE),
            "description": {name: KEYS[name].description for name in LEGACY_WRITABLE},
            "current": {name: current[name] for name in LEGACY_WRITABLE}}
