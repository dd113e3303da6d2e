"""The device registry: every operation of ``/api/devices`` (see the package docstring)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import peewee

from agentdeck.errors import Conflict, NotFound
from agentdeck.security.tokens import hash_password, verify_password
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_devices import Device
from agentdeck.timeutil import unix_ms, utcnow

DEVICE_TYPES = ("esp32", "browser", "cli", "mcp-client", "custom")
STATUSES = ("pending", "active", "suspended", "revoked")
CAPABILITIES = ("audio", "microphone", "speaker", "display", "buttons", "sensors")
TRUSTED_AFTER = 5
TRUSTED_AGE = timedelta(days=7)
# status -> the statuses it may change to (itself is always allowed: a no-op)
TRANSITIONS = {"pending": {"active", "revoked"}, "active": {"suspended", "revoked"},
               "suspended": {"active", "revoked"}, "revoked": set()}
INVALID_SECRET = "Invalid device secret"


class DeviceNotFound(NotFound):
    """No device has that id."""

    def __init__(self):
        super().__init__("Device not found")


def _identity(device_type: str, platform: str, name: str) -> str:
    return "\x1f".join((device_type, platform, name))


def _capabilities(flags: dict | None, current: dict | None = None) -> dict:
    merged = {name: False for name in CAPABILITIES}
    merged.update(current or {})
    merged.update({k: bool(v) for k, v in (flags or {}).items() if k in CAPABILITIES})
    return merged


def trust_level(device: Device) -> int:
    """The device's trust level now (see the package docstring)."""
    if device.status == "revoked":
        return 0
    if device.secret_hash:
        seasoned = device.created_at <= utcnow() - TRUSTED_AGE
        return 3 if seasoned and device.auth_streak >= TRUSTED_AFTER else 2
    return 1 if device.registered_with_key else 0


def public(device: Device) -> dict:
    """The device as the API shows it (never its secret)."""
    body = {"id": device.id, "name": device.name, "deviceType": device.device_type,
            "platform": device.platform, "status": device.status, "trustLevel": trust_level(device),
            "capabilities": _capabilities(device.capabilities), "metadata": device.metadata or {},
            "hasSecret": bool(device.secret_hash), "userId": device.user_id,
            "createdAt": unix_ms(device.created_at), "updatedAt": unix_ms(device.updated_at),
            "lastAuthenticatedAt": unix_ms(device.last_authenticated_at)}
    if device.firmware_version is not None:
        body["firmwareVersion"] = device.firmware_version
    return body


def _conflict() -> Conflict:
    return Conflict("Device already registered",
                    details=[{"message": "A device of this deviceType, platform and name is registered and not revoked"}])


def register_device(body: dict) -> dict:
    """Register a device (``pending``); ``Conflict`` when its identity is taken."""
    identity = _identity(body["deviceType"], body["platform"], body["name"])
    secret = body.get("secret")
    now = utcnow()
    fields = dict(identity=identity, name=body["name"], device_type=body["deviceType"],
                  platform=body["platform"], capabilities=_capabilities(body.get("capabilities")),
                  firmware_version=body.get("firmwareVersion"), metadata=body.get("metadata") or {},
                  secret_hash=hash_password(secret) if secret else None,
                  registered_with_key=bool(get_settings().agtos_api_key), created_at=now, updated_at=now)
    try:
        with writing():
            if Device.select().where(Device.identity == identity).exists():
                raise _conflict()
            device = Device.create(**fields)
    except peewee.IntegrityError:  # a registration of the same identity committed in between
        raise _conflict() from None
    return public(device)


def get_device(device_id: str) -> Device:
    """The device ``device_id``; raises ``DeviceNotFound``."""
    device = Device.get_or_none(Device.id == device_id)
    if device is None:
        raise DeviceNotFound()
    return device


def list_devices(status: str | None, device_type: str | None, limit: int, offset: int) -> dict:
    """A page of devices, oldest first, with ``count`` (this page) and ``total`` (all matching)."""
    query = Device.select()
    if status is not None:
        query = query.where(Device.status == status)
    if device_type is not None:
        query = query.where(Device.device_type == device_type)
    page = [public(d) for d in query.order_by(Device.created_at, Device.id).limit(limit).offset(offset)]
    return {"devices": page, "count": len(page), "total": query.count(), "limit": limit, "offset": offset}


def _check_transition(device: Device, status: str) -> None:
    if status == device.status and status != "revoked":
        return
    if device.status == "revoked":
        raise Conflict("Device is revoked", details=[{"message": "A revoked device must register again"}])
    if status not in TRANSITIONS[device.status]:
        raise Conflict("Invalid status transition",
                       details=[{"message": f"A {device.status} device cannot become {status}"}])


def update_device(device_id: str, changes: dict) -> dict:
    """Change what ``changes`` holds (name, status, capabilities, secret, firmwareVersion,
    metadata); raises ``DeviceNotFound`` and ``Conflict`` (a revoked device, a forbidden
    transition, an identity taken by another device). Leaving ``active`` stops its captures."""
    from agentdeck.agtos.capture import stop_device_streams

    secret_hash = hash_password(changes["secret"]) if changes.get("secret") else None
    try:
        with writing():
            device = get_device(device_id)
            if device.status == "revoked":
                _check_transition(device, changes.get("status", "revoked"))
            if "status" in changes:
                _check_transition(device, changes["status"])
                device.status = changes["status"]
            if "name" in changes:
                device.name = changes["name"]
            if "capabilities" in changes:
                device.capabilities = _capabilities(changes["capabilities"], device.capabilities)
            if "firmwareVersion" in changes:
                device.firmware_version = changes["firmwareVersion"]
            if "metadata" in changes:
                device.metadata = changes["metadata"]
            if secret_hash is not None:
                device.secret_hash, device.auth_streak = secret_hash, 0
            device.identity = (None if device.status == "revoked"
                               else _identity(device.device_type, device.platform, device.name))
            device.updated_at = utcnow()
            device.save()
            if device.status != "active":
                stop_device_streams(device.id)
    except peewee.IntegrityError:
        raise _conflict() from None
    return public(device)


def delete_device(device_id: str) -> dict:
    """Remove a device (and stop its captures); raises ``DeviceNotFound``."""
    from agentdeck.agtos.capture import stop_device_streams

    with writing():
        if not Device.delete().where(Device.id == device_id).execute():
            raise DeviceNotFound()
        stop_device_streams(device_id)
    return {"success": True, "deviceId": device_id}


@dataclass(frozen=True)
class AuthOutcome:
    """What an authentication gave: the body and its status (200, 401 or 403)."""

    body: dict
    status: int


def authenticate_device(device_id: str, secret: str) -> AuthOutcome:
    """Check ``secret`` against the device's; a suspended or revoked device is refused (403)
    even with the right secret. Raises ``DeviceNotFound``."""
    device = get_device(device_id)
    matches = bool(device.secret_hash) and verify_password(device.secret_hash, secret)
    with writing():
        if not matches:
            Device.update(auth_streak=0).where(Device.id == device_id).execute()
            return AuthOutcome({"authenticated": False, "message": INVALID_SECRET}, 401)
        if device.status in ("suspended", "revoked"):
            return AuthOutcome({"authenticated": False, "message": f"Device is {device.status}"}, 403)
        now = utcnow()
        Device.update(auth_streak=Device.auth_streak + 1, last_authenticated_at=now
                      ).where(Device.id == device_id).execute()
    device = get_device(device_id)
    return AuthOutcome({"authenticated": True, "device": {"id": device.id, "name": device.name, "status": device.status,
                                                          "trustLevel": trust_level(device)}}, 200)


def link_device(device_id: str, user_id: str) -> dict:
    """Link the device to ``user_id`` (replacing an earlier link); a revoked device is a
    ``Conflict``. Raises ``DeviceNotFound``."""
    with writing():
        device = get_device(device_id)
        if device.status == "revoked":
            _check_transition(device, "revoked")
        Device.update(user_id=user_id, updated_at=utcnow()).where(Device.id == device_id).execute()
    return {"linked": True, "deviceId": device_id, "userId": user_id}
