"""Core table: request counts per rate-limit bucket in the current window."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel


class RateLimitWindow(BaseModel):
    """Requests counted in ``bucket`` (a limit's name and a client) since ``window_started_at``."""

    bucket = peewee.CharField(max_length=300, primary_key=True)
    window_started_at = peewee.DateTimeField()
    count = peewee.IntegerField(default=0)

    class Meta:
        table_name = "core_rate_limit"
