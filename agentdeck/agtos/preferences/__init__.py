"""agtOS user preferences: the documented defaults, overlaid with what each user changed.

A user needs no record to have preferences: an unknown ``userId`` reads the defaults. An update
changes only the fields it holds (``privacySettings`` field by field) and is kept in the
database, so every worker reads the same. The shape constraints (lengths, ``ttsSpeed`` 0.5-2.0)
are the spec's; values reaching here have passed them.

The capture consents (``allowAudioCapture``, ``allowVideoCapture``, ``allowNeuralCapture``,
``allowAmbientCapture``) in ``privacySettings`` are agentdeck's: ``agentdeck.agtos.capture``
reads them to decide which modalities and modes a user's devices may capture.
"""
from __future__ import annotations

import copy

from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_devices import UserPreferences
from agentdeck.timeutil import utcnow

DEFAULT_PRIVACY = {"storeTranscripts": True, "storeAudio": False, "allowAudioCapture": True,
                   "allowVideoCapture": False, "allowNeuralCapture": False, "allowAmbientCapture": False}
DEFAULTS = {"ttsVoice": "af_heart", "ttsSpeed": 1.0, "language": "en", "wakeWord": "hey agtos",
            "privacySettings": DEFAULT_PRIVACY}
FIELDS = ("ttsVoice", "ttsSpeed", "language", "wakeWord")


def _merged(stored: dict | None) -> dict:
    merged = copy.deepcopy(DEFAULTS)
    stored = stored or {}
    merged.update({k: stored[k] for k in FIELDS if k in stored})
    merged["privacySettings"].update({k: v for k, v in (stored.get("privacySettings") or {}).items()
                                      if k in DEFAULT_PRIVACY})
    return merged


def preferences_of(user_id: str) -> dict:
    """The user's preferences: defaults with the user's changes on top."""
    row = UserPreferences.get_or_none(UserPreferences.user_id == user_id)
    return _merged(row.values if row else None)


def get_preferences(user_id: str) -> dict:
    """The body of ``GET /api/users/{userId}/preferences``."""
    return {"preferences": preferences_of(user_id)}


def update_preferences(user_id: str, changes: dict) -> dict:
    """Keep the fields ``changes`` holds; the body of the ``PUT`` (the preferences now)."""
    with writing():
        row = UserPreferences.get_or_none(UserPreferences.user_id == user_id)
        stored = dict(row.values) if row else {}
        stored.update({k: changes[k] for k in FIELDS if k in changes})
        if "privacySettings" in changes:
            stored["privacySettings"] = {**(stored.get("privacySettings") or {}), **changes["privacySettings"]}
        (UserPreferences.insert(user_id=user_id, values=stored, updated_at=utcnow())
         .on_conflict(conflict_target=[UserPreferences.user_id],
                      update={UserPreferences.values: stored, UserPreferences.updated_at: utcnow()})
         .execute())
    return {"preferences": _merged(stored)}
