"""The user's profile: one JSON document, read whole and updated field by field.

Fields and limits (the reference's): ``name`` ≤ 200 characters, ``communicationStyle`` ≤ 500,
``patterns`` ≤ 50 strings of ≤ 500, ``preferences`` string values of ≤ 500 (at most 100 keys
of ≤ 100 characters: agentdeck's bound). ``PUT`` replaces the fields it names and keeps the rest;
consolidated conversations add to it through ``merge``.
"""
from __future__ import annotations

from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_memory import Profile
from agentdeck.timeutil import utcnow

FIELDS = ("name", "communicationStyle", "patterns", "preferences")
MAX_PATTERNS = 50


class ProfileInvalid(ValueError):
    """A profile update breaks a limit (the message says which)."""


def get() -> dict:
    """The profile document (empty when nothing is known)."""
    row = Profile.get_or_none(Profile.name == "user")
    return dict(row.document) if row else {}


def check(update: dict) -> dict:
    """``update`` checked against the limits; raises ``ProfileInvalid``."""
    if not isinstance(update, dict):
        raise ProfileInvalid("Profile must be an object")
    unknown = sorted(set(update) - set(FIELDS))
    if unknown:
        raise ProfileInvalid(f"Unknown profile field: {unknown[0]}")
    if "name" in update and (not isinstance(update["name"], str) or len(update["name"]) > 200):
        raise ProfileInvalid("name must be a string of at most 200 characters")
    if "communicationStyle" in update and (not isinstance(update["communicationStyle"], str)
                                           or len(update["communicationStyle"]) > 500):
        raise ProfileInvalid("communicationStyle must be a string of at most 500 characters")
    if "patterns" in update:
        patterns = update["patterns"]
        if (not isinstance(patterns, list) or len(patterns) > MAX_PATTERNS
                or any(not isinstance(p, str) or len(p) > 500 for p in patterns)):
            raise ProfileInvalid("patterns must be at most 50 strings of at most 500 characters")
    if "preferences" in update:
        prefs = update["preferences"]
        if (not isinstance(prefs, dict) or len(prefs) > 100
                or any(len(k) > 100 or not isinstance(v, str) or len(v) > 500 for k, v in prefs.items())):
            raise ProfileInvalid("preferences must map keys to strings of at most 500 characters")
    return update


def put(update: dict) -> dict:
    """Replace the named fields; returns the new document."""
    check(update)
    with writing():
        current = get()
        current.update(update)
        (Profile.insert(name="user", document=current, updated_at=utcnow())
         .on_conflict(conflict_target=[Profile.name], update={Profile.document: current, Profile.updated_at: utcnow()})
         .execute())
    return current


def merge(learned: dict) -> dict:
    """Add what a conversation showed: new patterns and preferences join, name and style are set
    when given. Values past the limits are dropped rather than refused."""
    update: dict = {}
    current = get()
    for key in ("name", "communicationStyle"):
        value = learned.get(key)
        if isinstance(value, str) and value.strip():
            update[key] = value.strip()[:200 if key == "name" else 500]
    patterns = [p for p in current.get("patterns", [])]
    for p in learned.get("patterns") or []:
        if isinstance(p, str) and p.strip() and p.strip() not in patterns:
            patterns.append(p.strip()[:500])
    if patterns != current.get("patterns", []):
        update["patterns"] = patterns[-MAX_PATTERNS:]
    prefs = dict(current.get("preferences", {}))
    for k, v in (learned.get("preferences") or {}).items() if isinstance(learned.get("preferences"), dict) else []:
        if isinstance(v, str) and len(prefs) < 100:
            prefs[str(k)[:100]] = v[:500]
    if prefs != current.get("preferences", {}):
        update["preferences"] = prefs
    return put(update) if update else current
