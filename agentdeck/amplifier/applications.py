"""Applications: registered clients with API keys, shown once and stored as SHA-256 digests."""
from __future__ import annotations

import peewee

from agentdeck.errors import Conflict, NotFound
from agentdeck.security.tokens import hash_token, new_token
from agentdeck.storage.db import writing
from agentdeck.storage.models.amplifier import AmplifierApplication
from agentdeck.timeutil import to_iso, utcnow

KEY_PREFIX = "app_"


def register_application(app_id: str, app_name: str, *, is_admin: bool = False
                         ) -> tuple[AmplifierApplication, str]:
    """Create the application and its key; returns both (the key is not kept in clear)."""
    api_key = new_token(KEY_PREFIX)
    try:
        with writing():
            app = AmplifierApplication.create(app_id=app_id, app_name=app_name,
                                              key_hash=hash_token(api_key), is_admin=is_admin)
    except peewee.IntegrityError:
        raise Conflict(f"Application '{app_id}' already exists") from None
    return app, api_key


def get_application(app_id: str) -> AmplifierApplication:
    """The application, or ``NotFound``."""
    app = AmplifierApplication.get_or_none(AmplifierApplication.app_id == app_id)
    if app is None:
        raise NotFound("Application not found")
    return app


def list_applications() -> list[AmplifierApplication]:
    """Every application, oldest first."""
    return list(AmplifierApplication.select().order_by(AmplifierApplication.created_at,
                                                       AmplifierApplication.app_id))


def delete_application(app_id: str) -> None:
    """Delete the application; its key stops working at once."""
    if AmplifierApplication.delete().where(AmplifierApplication.app_id == app_id).execute() == 0:
        raise NotFound("Application not found")


def regenerate_key(app_id: str) -> tuple[AmplifierApplication, str]:
    """Replace the application's key; the old one stops working with this write."""
    api_key = new_token(KEY_PREFIX)
    with writing():
        app = get_application(app_id)
        app.key_hash = hash_token(api_key)
        app.updated_at = utcnow()
        app.save()
    return app, api_key


def set_flags(app_id: str, *, is_active: bool | None = None, is_admin: bool | None = None
              ) -> AmplifierApplication:
    """Activate / deactivate an application or grant / withdraw admin (operator commands)."""
    with writing():
        app = get_application(app_id)
        if is_active is not None:
            app.is_active = is_active
        if is_admin is not None:
            app.is_admin = is_admin
        app.updated_at = utcnow()
        app.save()
    return app


def application_for_key(api_key: str) -> AmplifierApplication | None:
    """The application holding ``api_key`` (active or not), or None."""
    return AmplifierApplication.get_or_none(AmplifierApplication.key_hash == hash_token(api_key))


def application_info(app: AmplifierApplication) -> dict:
    """The public view of an application (never its key)."""
    return {"app_id": app.app_id, "app_name": app.app_name, "is_active": app.is_active,
            "created_at": to_iso(app.created_at), "updated_at": to_iso(app.updated_at)}


def application_with_key(app: AmplifierApplication, api_key: str, message: str | None = None) -> dict:
    """The one view that carries the key: right after registration or regeneration."""
    body = {"app_id": app.app_id, "app_name": app.app_name, "api_key": api_key,
            "is_active": app.is_active, "created_at": to_iso(app.created_at)}
    if message:
        body["message"] = message
    return body
