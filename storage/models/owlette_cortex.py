"""owlette cortex's kept work: autonomous investigations (kept as chats) and their escalations."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.storage.models.owlette import OwletteSite
from agentdeck.timeutil import utcnow


class OwletteCortexChat(BaseModel):
    """A chat cortex held on its own: the event it investigated, its messages and its outcome.

    ``status`` is ``running`` until the investigation ends ``done`` or ``failed`` (``error``).
    """

    id = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE", backref="cortex_chats")
    machine_id = peewee.CharField(max_length=200)
    kind = peewee.CharField(max_length=16, default="autonomous")
    event = JSONField(default=dict)  # eventType, processName, errorMessage, machineName
    messages = JSONField(default=list)  # [{role, content}], the model's conversation as kept
    status = peewee.CharField(max_length=16, default="running")
    error = peewee.TextField(null=True)
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_cortex_chat"
        indexes = ((("site", "status"), False),)


class OwletteCortexEscalation(BaseModel):
    """A flag cortex raised for a human: emailed to the site's admins once (``pending`` → ``sent``,
    or ``failed`` when no email could go out)."""

    id = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE", backref="cortex_escalations")
    machine_id = peewee.CharField(max_length=200)
    chat = peewee.ForeignKeyField(OwletteCortexChat, on_delete="CASCADE", backref="escalations", null=True)
    summary = peewee.TextField()
    severity = peewee.CharField(max_length=16, default="warning")  # warning | critical
    status = peewee.CharField(max_length=16, default="pending", index=True)
    recipients = JSONField(default=list)
    created_at = peewee.DateTimeField(default=utcnow)
    processed_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_cortex_escalation"


CORTEX_MODELS = [OwletteCortexChat, OwletteCortexEscalation]
