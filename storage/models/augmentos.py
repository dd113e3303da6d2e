"""AugmentOS Cloud models: the app store, TPA server registrations, app sessions, transcripts,
error reports, the user (core) tokens glasses clients authenticate with, and what the TPA
WebSocket needs: the layouts apps display and the events their sockets are sent."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField, new_object_id, new_uuid
from agentdeck.timeutil import utcnow

APP_STORE_STATUSES = ("DEVELOPMENT", "SUBMITTED", "REJECTED", "PUBLISHED")
TPA_TYPES = ("standard", "background", "system_dashboard")


class App(BaseModel):
    """A third-party app (TPA) in the store; its API key is kept only as a SHA-256 digest."""

    id = peewee.CharField(max_length=24, primary_key=True, default=new_object_id)
    package_name = peewee.CharField(max_length=200, unique=True)
    name = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    public_url = peewee.TextField(null=True)
    logo_url = peewee.TextField(null=True)
    webview_url = peewee.TextField(null=True)
    version = peewee.CharField(max_length=50, default="1.0.0")
    tpa_type = peewee.CharField(max_length=32, default="standard")
    is_system_app = peewee.BooleanField(default=False)
    is_public = peewee.BooleanField(default=True)
    uninstallable = peewee.BooleanField(default=True)
    app_store_status = peewee.CharField(max_length=16, default="DEVELOPMENT", index=True)
    developer_id = peewee.CharField(max_length=200, null=True)
    developer_profile = JSONField(null=True)
    api_key_hash = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augmentos_app"


class TpaServer(BaseModel):
    """One registration of a TPA server instance (each register call makes a new one)."""

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    app = peewee.ForeignKeyField(App, backref="servers", on_delete="CASCADE")
    webhook_url = peewee.TextField()
    server_urls = peewee.TextField(default="")
    status = peewee.CharField(max_length=16, default="active")
    registered_at = peewee.DateTimeField(default=utcnow)
    last_heartbeat_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augmentos_tpa_server"
        indexes = ((("status", "last_heartbeat_at"), False),)


class AppSession(BaseModel):
    """A user's running session of one app; its id is ``<userId>-<packageName>``."""

    id = peewee.CharField(max_length=500, primary_key=True)
    user_id = peewee.CharField(max_length=250, index=True)
    app = peewee.ForeignKeyField(App, backref="sessions", on_delete="CASCADE")
    status = peewee.CharField(max_length=16, default="active")
    started_at = peewee.DateTimeField(default=utcnow)
    stopped_at = peewee.DateTimeField(null=True)
    updated_at = peewee.DateTimeField(default=utcnow)
    last_error = peewee.TextField(null=True)

    class Meta:
        table_name = "augmentos_app_session"
        indexes = ((("app", "status"), False),)


class TranscriptSegment(BaseModel):
    """One transcription result; at most one interim segment per session and language is kept."""

    id = peewee.AutoField()
    session = peewee.ForeignKeyField(AppSession, backref="segments", on_delete="CASCADE")
    result_id = peewee.CharField(max_length=100)
    speaker_id = peewee.CharField(max_length=100, null=True)
    text = peewee.TextField()
    timestamp = peewee.DateTimeField()
    is_final = peewee.BooleanField()
    language = peewee.CharField(max_length=20, default="en-US")

    class Meta:
        table_name = "augmentos_transcript_segment"
        indexes = ((("session", "language", "timestamp"), False),)


class ErrorReport(BaseModel):
    """A client's error report, attributed to a user when a valid core token came with it."""

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    user_id = peewee.CharField(max_length=250, default="anonymous")
    report = JSONField()
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "augmentos_error_report"


class CoreToken(BaseModel):
    """A user's token for the glasses-client endpoints, stored as a SHA-256 digest."""

    id = peewee.CharField(max_length=36, primary_key=True, default=new_uuid)
    user_id = peewee.CharField(max_length=250, index=True)
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "augmentos_core_token"


class AppDisplay(BaseModel):
    """The latest layout an app showed in one view (``main`` or ``dashboard``) of a session."""

    session = peewee.ForeignKeyField(AppSession, backref="displays", on_delete="CASCADE")
    view = peewee.CharField(max_length=16)
    layout = JSONField()
    duration_ms = peewee.IntegerField(null=True)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augmentos_app_display"
        primary_key = peewee.CompositeKey("session", "view")


class AppSessionEvent(BaseModel):
    """An event for a session's TPA socket (a transcript, a stop), read in id order by whichever
    worker holds that socket; kept briefly."""

    id = peewee.BigAutoField()
    session_id = peewee.CharField(max_length=500)
    kind = peewee.CharField(max_length=32)
    data = JSONField()
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "augmentos_app_session_event"
        indexes = ((("session_id", "id"), False),)


MODELS = [App, TpaServer, AppSession, TranscriptSegment, ErrorReport, CoreToken]
SOCKET_MODELS = [AppDisplay, AppSessionEvent]
