"""Augur: tenants and their users, login sessions and DSNs, and the runs SDKs stream in.

Run documents (manifest, trace, steps, decision events) live in the database; files
(screenshots, model I/O records, logs) live in the blob store under the run's bundle prefix.
"""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField, new_uuid
from agentdeck.timeutil import utcnow


class AugurTenant(BaseModel):
    """A workspace: its runs, connections and files are visible only to its own users."""

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    slug = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=200)
    modelio_capture = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augur_tenant"


class AugurUser(BaseModel):
    """A viewer user of one (home) tenant; ``is_admin`` users may impersonate other tenants."""

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    email = peewee.CharField(max_length=254, unique=True)
    password_hash = peewee.TextField()
    tenant = peewee.ForeignKeyField(AugurTenant, backref="users", on_delete="CASCADE")
    is_admin = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augur_user"


class AugurLoginSession(BaseModel):
    """A server-side login session; the cookie holds the token, the table its SHA-256."""

    token_hash = peewee.CharField(max_length=64, primary_key=True)
    user = peewee.ForeignKeyField(AugurUser, backref="sessions", on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField(index=True)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "augur_login_session"


class AugurDsn(BaseModel):
    """An ingest credential of one tenant; only the key's SHA-256 is kept."""

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    tenant = peewee.ForeignKeyField(AugurTenant, backref="dsns", on_delete="CASCADE")
    label = peewee.CharField(max_length=100)
    key_hash = peewee.CharField(max_length=64, unique=True)
    key_prefix = peewee.CharField(max_length=16)
    created_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "augur_dsn"


class AugurAuditEvent(BaseModel):
    """Something an admin did that must be traceable (impersonation started or stopped)."""

    id = peewee.AutoField()
    actor = peewee.ForeignKeyField(AugurUser, backref="audit_events", on_delete="CASCADE")
    action = peewee.CharField(max_length=64)
    tenant = peewee.ForeignKeyField(AugurTenant, null=True, on_delete="SET NULL")
    detail = JSONField(null=True)
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "augur_audit_event"


class AugurRun(BaseModel):
    """One streamed run: its manifest (the bundle envelope) and, once sent, its trace."""

    id = peewee.AutoField()
    tenant = peewee.ForeignKeyField(AugurTenant, backref="runs", on_delete="CASCADE")
    run_id = peewee.CharField(max_length=128)
    manifest = JSONField()
    trace = JSONField(null=True)
    # The trace's ``session.status``, kept beside it so the runs list need not load traces.
    session_status = peewee.CharField(max_length=64, null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augur_run"
        indexes = (
            (("tenant", "run_id"), True),
            (("tenant", "created_at"), False),
        )


class AugurStep(BaseModel):
    """One StepTrace record of a run; a repeated PUT replaces it."""

    id = peewee.AutoField()
    run = peewee.ForeignKeyField(AugurRun, backref="steps", on_delete="CASCADE")
    step_index = peewee.IntegerField()
    document = JSONField()
    # How far along the stored version is (agentdeck.augur.revisions); an older one arriving
    # later does not replace it.
    revision = peewee.BigIntegerField(default=0)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augur_step"
        indexes = ((("run", "step_index"), True),)


class AugurEventBatch(BaseModel):
    """Decision events appended in one call, for one step or (``step_index`` null) the run."""

    id = peewee.AutoField()
    run = peewee.ForeignKeyField(AugurRun, backref="event_batches", on_delete="CASCADE")
    step_index = peewee.IntegerField(null=True)
    events = JSONField()
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augur_event_batch"
        indexes = ((("run", "step_index", "id"), False),)


class AugurHeartbeat(BaseModel):
    """The last sign of life of one SDK client of a tenant."""

    tenant = peewee.ForeignKeyField(AugurTenant, on_delete="CASCADE")
    client_id = peewee.CharField(max_length=128)
    dsn = peewee.ForeignKeyField(AugurDsn, null=True, on_delete="SET NULL")
    client_name = peewee.CharField(max_length=200, null=True)
    client_version = peewee.CharField(max_length=100, null=True)
    capture_mode = peewee.CharField(max_length=64, null=True)
    run_id = peewee.CharField(max_length=128, null=True)
    last_event = JSONField(null=True)
    first_seen = peewee.DateTimeField(default=utcnow)
    last_seen = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augur_heartbeat"
        primary_key = peewee.CompositeKey("tenant", "client_id")
        indexes = ((("tenant", "last_seen"), False), (("dsn", "last_seen"), False))


MODELS = [AugurTenant, AugurUser, AugurLoginSession, AugurDsn, AugurAuditEvent, AugurRun,
          AugurStep, AugurEventBatch, AugurHeartbeat]
