"""agtOS runtime settings: the values written through ``PUT /api/settings`` / ``PUT /api/config``."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.timeutil import utcnow


class AgtosSetting(BaseModel):
    """One writable key's stored value (a key never written keeps its default)."""

    key = peewee.CharField(max_length=100, primary_key=True)
    value = JSONField()
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "agtos_setting"


MODELS = [AgtosSetting]
