"""The app store: creating and publishing apps, public listings, search, TPA key checks."""
from __future__ import annotations

from agentdeck.errors import Conflict, InvalidInput, NotFound, Unauthorized
from agentdeck.security.tokens import hash_token, new_token, token_matches
from agentdeck.storage.db import writing
from agentdeck.storage.models.augmentos import APP_STORE_STATUSES, TPA_TYPES, App
from agentdeck.timeutil import to_iso, utcnow

PROFILE_FIELDS = ("company", "website", "contactEmail", "description", "logo")


def create_app(package_name: str, name: str, **fields) -> tuple[App, str]:
    """Create an app in DEVELOPMENT; returns it and its API key (shown once, stored hashed)."""
    if fields.get("tpa_type", "standard") not in TPA_TYPES:
        raise InvalidInput(f"tpaType must be one of {', '.join(TPA_TYPES)}")
    profile = fields.pop("developer_profile", None)
    if profile is not None:
        profile = {k: profile.get(k) for k in PROFILE_FIELDS if profile.get(k) is not None}
    api_key = new_token(nbytes=24)
    with writing():
        if App.get_or_none(App.package_name == package_name):
            raise Conflict(f"App with package name {package_name} already exists")
        app = App.create(package_name=package_name, name=name, api_key_hash=hash_token(api_key),
                         developer_profile=profile, **fields)
    return app, api_key


def set_store_status(package_name: str, status: str) -> App:
    """Move an app to ``status`` (PUBLISHED makes it public in the store)."""
    if status not in APP_STORE_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(APP_STORE_STATUSES)}")
    app = get_app(package_name)
    app.app_store_status, app.updated_at = status, utcnow()
    app.save()
    return app


def rotate_api_key(package_name: str) -> str:
    """Give an app a new API key; the old one stops working at once."""
    app = get_app(package_name)
    api_key = new_token(nbytes=24)
    app.api_key_hash, app.updated_at = hash_token(api_key), utcnow()
    app.save()
    return api_key


def get_app(package_name: str) -> App:
    """Any app by package name, published or not (operators and TPAs use this)."""
    app = App.get_or_none(App.package_name == package_name)
    if app is None:
        raise NotFound(f"App with package name {package_name} not found")
    return app


def _published():
    return App.select().where(App.app_store_status == "PUBLISHED").order_by(App.name, App.package_name)


def list_public_apps() -> list[App]:
    """Every PUBLISHED app, by name."""
    return list(_published())


def search_apps(query: str) -> list[App]:
    """PUBLISHED apps whose name or description contains ``query``, case-insensitively."""
    text = (query or "").strip()
    if not text:
        raise InvalidInput("Search query is required")
    needle = text.lower()
    # Filtering in Python keeps LIKE wildcards in the query literal, alike on SQLite and PostgreSQL.
    return [a for a in _published() if needle in a.name.lower() or needle in (a.description or "").lower()]


def get_public_app(package_name: str) -> App:
    """A PUBLISHED app by package name; 404 in the store's shape otherwise."""
    app = App.get_or_none((App.package_name == package_name) & (App.app_store_status == "PUBLISHED"))
    if app is None:
        raise NotFound(f"App with package name {package_name} not found")
    return app


def authenticate_tpa(package_name: str | None, api_key: str | None, message: str = "Unauthorized") -> App:
    """The app whose stored key matches ``api_key``; ``Unauthorized(message)`` otherwise."""
    app = App.get_or_none(App.package_name == package_name) if package_name else None
    if app is None or not api_key or not token_matches(api_key, app.api_key_hash):
        raise Unauthorized(message)
    return app


def app_document(app: App, *, with_profile: bool = False) -> dict:
    """The app as the store's clients see it (``developerProfile`` on detailed views)."""
    doc = {
        "packageName": app.package_name, "name": app.name, "publicUrl": app.public_url,
        "isSystemApp": app.is_system_app, "webviewURL": app.webview_url, "logoURL": app.logo_url,
        "tpaType": app.tpa_type, "developerId": app.developer_id, "description": app.description,
        "version": app.version, "isPublic": app.is_public, "uninstallable": app.uninstallable,
        "appStoreStatus": app.app_store_status, "_id": app.id,
        "createdAt": to_iso(app.created_at), "updatedAt": to_iso(app.updated_at),
    }
    if with_profile:
        doc["developerProfile"] = app.developer_profile or None
    return doc
