"""Models of agtOS's devices, the users' preferences and the capture (PACT) streams.

A device's shared secret is kept only as an argon2 hash. ``identity`` is what makes a second
registration a conflict: the device type, platform and name of every device that is not
revoked (null once it is, so a revoked device's identity can register again, as a new device).
"""
from __future__ import annotations

import secrets

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.timeutil import utcnow


def new_device_id() -> str:
    """``dev-`` and 16 hex digits."""
    return f"dev-{secrets.token_hex(8)}"


def new_stream_id() -> str:
    """``stream-`` and 16 hex digits."""
    return f"stream-{secrets.token_hex(8)}"


def new_correlation_id() -> str:
    """``corr-`` and 16 hex digits."""
    return f"corr-{secrets.token_hex(8)}"


class Device(BaseModel):
    """A registered device and where it is in its lifecycle (``status``)."""

    id = peewee.CharField(max_length=24, primary_key=True, default=new_device_id)
    identity = peewee.CharField(max_length=400, null=True, unique=True)
    name = peewee.CharField(max_length=200)
    device_type = peewee.CharField(max_length=16)
    platform = peewee.CharField(max_length=100)
    capabilities = JSONField(default=dict)
    firmware_version = peewee.CharField(max_length=50, null=True)
    metadata = JSONField(default=dict)
    secret_hash = peewee.TextField(null=True)
    status = peewee.CharField(max_length=16, default="pending")
    registered_with_key = peewee.BooleanField(default=False)
    user_id = peewee.CharField(max_length=200, null=True)
    # successful authentications since the last failed one: the history trust level 3 needs
    auth_streak = peewee.IntegerField(default=0)
    last_authenticated_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "agtos_device"
        indexes = ((("status", "device_type"), False), (("user_id",), False))


class UserPreferences(BaseModel):
    """The preferences a user changed; what is absent takes the documented default."""

    user_id = peewee.CharField(max_length=200, primary_key=True)
    values = JSONField(default=dict)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "agtos_user_preferences"


class CaptureStream(BaseModel):
    """A capture stream a device started; ``state`` is ``active`` until it is stopped."""

    id = peewee.CharField(max_length=32, primary_key=True, default=new_stream_id)
    device_id = peewee.CharField(max_length=24)
    user_id = peewee.CharField(max_length=200)
    modalities = JSONField(default=list)
    capture_mode = peewee.CharField(max_length=32)
    state = peewee.CharField(max_length=16, default="active")
    correlation_id = peewee.CharField(max_length=32, default=new_correlation_id)
    started_at = peewee.DateTimeField(default=utcnow)
    stopped_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "agtos_capture_stream"
        indexes = ((("state", "user_id"), False), (("device_id", "state"), False))


MODELS = [Device, UserPreferences, CaptureStream]
