"""Capture (PACT): multimodal capture streams that devices start, with the user's consent.

**Consent rules.** A stream starts only when the device exists and is ``active``, is linked to
a user, and that user's privacy preferences consent to every modality asked for: ``audio``
needs ``allowAudioCapture`` (default true), ``video`` ``allowVideoCapture`` and ``neural``
``allowNeuralCapture`` (default false). The modes that capture people who are not taking part,
``passive-observation`` and ``ambient``, also need ``allowAmbientCapture`` (default false);
``active-participant`` (the default mode) does not. Withdrawn consent does not stop a running
stream; a device leaving ``active`` (suspended, revoked, deleted) stops its streams.
"""
from __future__ import annotations

from agentdeck.agtos.preferences import preferences_of
from agentdeck.errors import InvalidInput, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_devices import CaptureStream, Device
from agentdeck.timeutil import unix_ms, utcnow

MODALITY_CONSENT = {"audio": "allowAudioCapture", "video": "allowVideoCapture", "neural": "allowNeuralCapture"}
AMBIENT_MODES = ("passive-observation", "ambient")


def _consent_problem(privacy: dict, modalities: list[str], mode: str) -> str | None:
    refused = [m for m in modalities if not privacy.get(MODALITY_CONSENT[m])]
    if refused:
        return f"No consent for modality: {', '.join(refused)}"
    if mode in AMBIENT_MODES and not privacy.get("allowAmbientCapture"):
        return f"No consent for capture mode: {mode}"
    return None


def start_capture(device_id: str, modalities: list[str], mode: str = "active-participant") -> dict:
    """Start a stream (the consent rules above); raises ``NotFound`` for an unknown device and
    ``InvalidInput`` (400) naming what is missing: an active device, a linked user, a consent."""
    modalities = list(dict.fromkeys(modalities))
    device = Device.get_or_none(Device.id == device_id)
    if device is None:
        raise NotFound("Device not found")
    if device.status != "active":
        raise InvalidInput(f"Device is not active (status: {device.status})")
    if not device.user_id:
        raise InvalidInput("Missing consent: the device is not linked to a user")
    problem = _consent_problem(preferences_of(device.user_id)["privacySettings"], modalities, mode)
    if problem:
        raise InvalidInput(f"Missing consent: {problem}")
    with writing():
        stream = CaptureStream.create(device_id=device.id, user_id=device.user_id, modalities=modalities,
                                      capture_mode=mode, started_at=utcnow())
    return {"streamId": stream.id, "state": stream.state, "correlationId": stream.correlation_id}


def stop_capture(stream_id: str) -> dict:
    """Stop an active stream; ``NotFound`` when there is none (or it already stopped)."""
    now = utcnow()
    with writing():
        stopped = (CaptureStream.update(state="stopped", stopped_at=now)
                   .where((CaptureStream.id == stream_id) & (CaptureStream.state == "active")).execute())
    if not stopped:
        raise NotFound("Stream not found or already stopped")
    return {"streamId": stream_id, "state": "stopped", "stoppedAt": unix_ms(now)}


def stop_device_streams(device_id: str) -> int:
    """Stop every active stream of ``device_id`` (joins the caller's transaction)."""
    with writing():
        return (CaptureStream.update(state="stopped", stopped_at=utcnow())
                .where((CaptureStream.device_id == device_id) & (CaptureStream.state == "active")).execute())


def list_streams(user_id: str | None = None) -> dict:
    """The active streams (of ``user_id``'s devices when given), oldest first."""
    query = CaptureStream.select().where(CaptureStream.state == "active")
    if user_id is not None:
        query = query.where(CaptureStream.user_id == user_id)
    streams = [{"streamId": s.id, "deviceId": s.device_id, "userId": s.user_id, "modalities": s.modalities,
                "captureMode": s.capture_mode, "state": s.state, "correlationId": s.correlation_id,
                "startedAt": unix_ms(s.started_at)}
               for s in query.order_by(CaptureStream.started_at, CaptureStream.id)]
    return {"streams": streams, "count": len(streams)}
