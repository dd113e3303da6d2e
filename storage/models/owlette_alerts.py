"""owlette activity log, webhooks, alert throttling, LLM keys and cortex chats."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField, new_uuid
from agentdeck.storage.models.owlette import OwletteSite, OwletteUser
from agentdeck.timeutil import utcnow


class OwletteActivity(BaseModel):
    """One entry of a site's activity log: a command, a crash, a deployment step, a sign-in."""

    id = peewee.CharField(max_length=64, primary_key=True, default=new_uuid)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE", backref="activity")
    action = peewee.CharField(max_length=64)
    level = peewee.CharField(max_length=16, default="info")  # info | warning | error
    machine_id = peewee.CharField(max_length=200, null=True)
    process_name = peewee.CharField(max_length=200, null=True)
    user_id = peewee.CharField(max_length=64, null=True)
    details = JSONField(null=True)
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "owlette_activity"
        indexes = ((("site", "created_at"), False),)


ALERT_MODELS = [OwletteActivity]
