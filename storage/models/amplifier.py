"""Models of the Amplifier surface: configs (YAML bundles), sessions with their conversation, and
applications holding API keys."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField, new_uuid
from agentdeck.timeutil import utcnow


class AmplifierConfig(BaseModel):
    """A named YAML bundle, stored sealed with the server key (reads return exactly what the
    client sent, ``${VAR}`` left unexpanded)."""

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    name = peewee.CharField(max_length=200)
    description = peewee.TextField(null=True)
    yaml_content = peewee.TextField()
    tags = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "amplifier_config"
        indexes = ((("created_at",), False),)


class AmplifierSession(BaseModel):
    """A conversation prepared from a config.

    ``bundle_yaml`` is the config's YAML as it was when the session was created or last resumed,
    so a session keeps working when its config is edited or deleted. ``active_run`` names the
    message being answered (at most one at a time); ``run_heartbeat_at`` is refreshed by the
    worker running it, and ``cancel_requested_at`` is set by ``/cancel`` from any worker.
    """

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    config_id = peewee.CharField(max_length=36, index=True)
    bundle_yaml = peewee.TextField()
    status = peewee.CharField(max_length=16, default="active")
    message_count = peewee.IntegerField(default=0)
    active_run = peewee.CharField(max_length=36, null=True)
    run_heartbeat_at = peewee.DateTimeField(null=True)
    cancel_requested_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "amplifier_session"
        indexes = ((("created_at",), False), (("active_run",), False))


class AmplifierMessage(BaseModel):
    """One turn of a session's conversation.

    ``status`` is ``complete`` for user turns and finished replies, ``cancelled`` for a reply cut
    short by ``/cancel`` or a client that went away (``content`` holds what had arrived), and
    ``error`` for a reply the provider failed to finish.
    """

    id = peewee.AutoField()
    session = peewee.ForeignKeyField(AmplifierSession, backref="messages", on_delete="CASCADE")
    role = peewee.CharField(max_length=16)
    content = peewee.TextField()
    status = peewee.CharField(max_length=16, default="complete")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "amplifier_message"
        indexes = ((("session", "id"), False),)


class AmplifierApplication(BaseModel):
    """A registered client application; its API key is stored only as a SHA-256 digest.

    ``is_admin`` (set with ``agentdeck amplifier applications create --admin``) allows, when
    authentication is on, managing other applications and the full ``/smoke-tests`` run.
    """

    app_id = peewee.CharField(max_length=100, primary_key=True)
    app_name = peewee.CharField(max_length=200)
    key_hash = peewee.CharField(max_length=64, unique=True)
    is_active = peewee.BooleanField(default=True)
    is_admin = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "amplifier_application"


AMPLIFIER_MODELS = [AmplifierConfig, AmplifierSession, AmplifierMessage, AmplifierApplication]
