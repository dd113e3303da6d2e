"""Models of the shared core: background-work leases and the outbound delivery log."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField, new_uuid
from agentdeck.timeutil import utcnow


class Lease(BaseModel):
    """A named lease: the one runner holding it until ``expires_at`` does that job."""

    name = peewee.CharField(max_length=100, primary_key=True)
    holder = peewee.CharField(max_length=200)
    expires_at = peewee.DateTimeField()

    class Meta:
        table_name = "core_lease"


class Delivery(BaseModel):
    """One outbound webhook that matters, with its outcome and retry schedule.

    ``status`` is ``pending`` (a retry is due at ``next_attempt_at``), ``delivered`` or ``failed``
    (attempts exhausted). ``secret`` holds the signing secret encrypted at rest, when one is used.
    ``claimed_until`` is set while one runner attempts it: no other runner may until it passes.
    """

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    source = peewee.CharField(max_length=100, index=True)
    target_url = peewee.TextField()
    payload = JSONField()
    secret = peewee.TextField(null=True)
    status = peewee.CharField(max_length=16, default="pending")
    attempts = peewee.IntegerField(default=0)
    max_attempts = peewee.IntegerField(default=5)
    next_attempt_at = peewee.DateTimeField(null=True)
    claimed_until = peewee.DateTimeField(null=True)
    last_status_code = peewee.IntegerField(null=True)
    last_error = peewee.TextField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    delivered_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "core_delivery"
        indexes = ((("status", "next_attempt_at"), False),)


class FailedAttempts(BaseModel):
    """Failed credential checks counted per bucket (an account, a client address) in a window."""

    bucket = peewee.CharField(max_length=300, primary_key=True)
    window_started_at = peewee.DateTimeField()
    failures = peewee.IntegerField(default=0)

    class Meta:
        table_name = "core_failed_attempts"
