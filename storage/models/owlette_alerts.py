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



class OwletteWebhook(BaseModel):
    """A site's webhook: its URL, the events it wants, its secret sealed with the secret box.

    ``failures`` counts straight failed delivery attempts; at 10 the webhook is disabled.
    """

    id = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE", backref="webhooks")
    name = peewee.CharField(max_length=200)
    url = peewee.TextField()
    events = JSONField(default=list)
    secret = peewee.TextField()  # sealed
    enabled = peewee.BooleanField(default=True)
    failures = peewee.IntegerField(default=0)
    created_by = peewee.CharField(max_length=64, null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    last_triggered_at = peewee.DateTimeField(null=True)
    last_status = peewee.IntegerField(null=True)
    disabled_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_webhook"


class OwletteAlertMark(BaseModel):
    """When an alert of one kind about one subject last went out (cooldowns, once an hour)."""

    key = peewee.CharField(max_length=400, primary_key=True)
    sent_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_alert_mark"


class OwletteAlertOptOut(BaseModel):
    """A user who unsubscribed from health alert email."""

    user = peewee.ForeignKeyField(OwletteUser, primary_key=True, on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_alert_opt_out"


class OwletteLlmKey(BaseModel):
    """A user's or a site's LLM key (``scope`` user | site, ``owner`` the user or site id), sealed."""

    scope = peewee.CharField(max_length=8)
    owner = peewee.CharField(max_length=128)
    provider = peewee.CharField(max_length=32)
    api_key = peewee.TextField()  # sealed
    model = peewee.CharField(max_length=200, null=True)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_llm_key"
        primary_key = peewee.CompositeKey("scope", "owner")


ALERT_MODELS = [OwletteActivity, OwletteWebhook, OwletteAlertMark, OwletteAlertOptOut, OwletteLlmKey]
