"""The DebugSession of a run whose trace has not arrived yet.

The published SDK sends ``trace.json`` (and so its DebugSession) only at ``close()``. Until then
``trace.json`` is served as ``{session, steps}`` whose session is a valid DebugSession (augur-schema
``debug_session``) built from what is known: the manifest when one was sent, else the run's
most recent heartbeat, with status ``running``.
"""
from __future__ import annotations

import re

from agentdeck.storage.models.augur import AugurHeartbeat, AugurRun
from agentdeck.timeutil import to_iso

SCHEMA_VERSION = "0.1"  # the schema line the published SDK writes (augur-schema's SCHEMA_VERSION)
CAPTURE_MODES = ("off", "metadata", "trace", "screenshots", "video", "model_io", "dispatch", "replay", "full")
# Steps have been streamed, so at least the trace is captured; used when nothing sent says more.
DEFAULT_CAPTURE_MODE = "trace"
UNKNOWN_CLIENT = "unknown"
_SCHEMA_VERSION = re.compile(r"^[0-9]+\.[0-9]+(\.[0-9]+)?$")
_SESSION_ID = re.compile(r"^dbg_[A-Za-z0-9_\-]+$")


def _text(value, pattern: re.Pattern | None = None) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if pattern is None or pattern.match(value) else None


def _latest_heartbeat(run: AugurRun) -> AugurHeartbeat | None:
    return (AugurHeartbeat.select()
            .where((AugurHeartbeat.tenant == run.tenant_id) & (AugurHeartbeat.run_id == run.run_id))
            .order_by(AugurHeartbeat.last_seen.desc()).first())


def _client(manifest: dict, heartbeat: AugurHeartbeat | None) -> dict:
    sent = manifest.get("client") if isinstance(manifest.get("client"), dict) else {}
    if _text(sent.get("name")):
        return {key: sent[key] for key in ("name", "version", "git_sha") if _text(sent.get(key))}
    if _text(manifest.get("client_name")):  # older clients send it flat
        client = {"name": manifest["client_name"]}
        return client | ({"version": manifest["client_version"]} if _text(manifest.get("client_version")) else {})
    if heartbeat is not None and _text(heartbeat.client_name):
        client = {"name": heartbeat.client_name}
        return client | ({"version": heartbeat.client_version} if _text(heartbeat.client_version) else {})
    return {"name": UNKNOWN_CLIENT}


def _capture_mode(manifest: dict, heartbeat: AugurHeartbeat | None) -> str:
    for value in (manifest.get("capture_mode"), heartbeat.capture_mode if heartbeat else None):
        if value in CAPTURE_MODES:
            return value
    return DEFAULT_CAPTURE_MODE


def live_session(run: AugurRun) -> dict:
    """A DebugSession for ``run``: ``schema_version`` and ``debug_session_id`` from the manifest
    when valid there (else ``0.1`` and ``dbg_<run id>``), ``client`` and ``capture_mode`` from
    the manifest or the run's latest heartbeat, ``started_at`` when the server opened the run,
    and status ``running``."""
    manifest = run.manifest if isinstance(run.manifest, dict) else {}
    heartbeat = _latest_heartbeat(run)
    return {"schema_version": _text(manifest.get("schema_version"), _SCHEMA_VERSION) or SCHEMA_VERSION,
            "debug_session_id": _text(manifest.get("debug_session_id"), _SESSION_ID)
            or "dbg_" + re.sub(r"[^A-Za-z0-9_-]", "_", run.run_id),
            "run_id": run.run_id, "client": _client(manifest, heartbeat),
            "capture_mode": _capture_mode(manifest, heartbeat),
            "started_at": to_iso(run.created_at), "status": "running"}
