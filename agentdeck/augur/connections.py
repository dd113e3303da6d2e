"""Connections: which SDK clients of a tenant were heard from in the last 60 seconds.

Heartbeats live in the database (several workers answer the same clients). An explicit
``POST /heartbeat`` names its client; every other ingest call stamps the rows of the DSN it
used, or a row named after the DSN when that DSN has not announced a client lately.
"""
from __future__ import annotations

import time
from datetime import timedelta

import peewee

from agentdeck.storage.models.augur import AugurDsn, AugurHeartbeat
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.augur.documents import encode_document
from agentdeck.augur.group_commit import ingest_writes
from agentdeck.augur.principals import IngestClient

WINDOW_SECONDS = 60
# Stamps from one process for the same DSN and run closer together than this are skipped: the
# 60-s window does not need them, and a client streaming steps would otherwise write each time.
STAMP_INTERVAL = 2.0
_recent_stamps: dict[tuple[str, str | None], float] = {}


def _synthetic_client_id(dsn_id: str) -> str:
    return f"dsn-{dsn_id[:8]}"


def _stamp_due(client: IngestClient, run_id: str | None) -> bool:
    key, now_mono = (client.dsn_id, run_id), time.monotonic()
    if now_mono - _recent_stamps.get(key, float("-inf")) < STAMP_INTERVAL:
        return False
    if len(_recent_stamps) > 10_000:
        _recent_stamps.clear()
    _recent_stamps[key] = now_mono
    return True


def _write_stamp(client: IngestClient, run_id: str | None) -> None:
    now = utcnow()
    changes = {AugurHeartbeat.last_seen: now}
    if run_id is not None:
        changes[AugurHeartbeat.run_id] = run_id
    touched = (AugurHeartbeat.update(changes)
               .where((AugurHeartbeat.tenant == client.tenant_id) & (AugurHeartbeat.dsn == client.dsn_id)
                      & (AugurHeartbeat.last_seen > now - timedelta(seconds=WINDOW_SECONDS)))
               .execute())
    if not touched:
        _upsert(client, _synthetic_client_id(client.dsn_id), {"run_id": run_id}, now)


def stamp(client: IngestClient, run_id: str | None = None) -> None:
    """Record that ``client`` was just heard from, within an ingest call's own write."""
    if _stamp_due(client, run_id):
        _write_stamp(client, run_id)


def touch(client: IngestClient, run_id: str | None = None) -> None:
    """Record that ``client`` was just heard from, for ingest calls that write no rows."""
    if _stamp_due(client, run_id):
        ingest_writes.run(lambda: _write_stamp(client, run_id))


def _upsert(client: IngestClient, client_id: str, fields: dict, now) -> None:
    row = {"tenant": client.tenant_id, "client_id": client_id, "dsn": client.dsn_id,
           "first_seen": now, "last_seen": now, **fields}
    update = [getattr(AugurHeartbeat, name) for name in ("dsn", "last_seen", *fields)]
    (AugurHeartbeat.insert(row)
     .on_conflict(conflict_target=[AugurHeartbeat.tenant, AugurHeartbeat.client_id], preserve=update)
     .execute())


async def record_heartbeat(client: IngestClient, heartbeat: dict) -> dict:
    """Store an explicit heartbeat; returns ``{ok, client_id, server_time}``."""
    encode_document(heartbeat)
    now = utcnow()
    fields = {name: heartbeat[name] for name in
              ("client_name", "client_version", "capture_mode", "run_id", "last_event")
              if name in heartbeat}

    def write() -> None:
        _upsert(client, heartbeat["client_id"], fields, now)
        (AugurHeartbeat.delete()
         .where((AugurHeartbeat.tenant == client.tenant_id)
                & (AugurHeartbeat.client_id == _synthetic_client_id(client.dsn_id))).execute())

    await ingest_writes.submit(write)
    return {"ok": True, "client_id": heartbeat["client_id"], "server_time": to_iso(now)}


def list_connections(tenant_id: str) -> list[dict]:
    """The tenant's clients heard from within the window, most recent first."""
    now = utcnow()
    query = (AugurHeartbeat.select(AugurHeartbeat, AugurDsn.label)
             .join(AugurDsn, on=(AugurHeartbeat.dsn == AugurDsn.id), join_type=peewee.JOIN.LEFT_OUTER)
             .where((AugurHeartbeat.tenant == tenant_id)
                    & (AugurHeartbeat.last_seen >= now - timedelta(seconds=WINDOW_SECONDS)))
             .order_by(AugurHeartbeat.last_seen.desc()))
    return [_connection_document(row, now) for row in query.objects()]


def _connection_document(row, now) -> dict:
    return {"client_id": row.client_id, "client_name": row.client_name,
            "client_version": row.client_version, "capture_mode": row.capture_mode,
            "run_id": row.run_id, "last_event": row.last_event, "dsn_id": row.dsn_id,
            "dsn_label": getattr(row, "label", None), "first_seen": to_iso(row.first_seen),
            "last_seen": to_iso(row.last_seen),
            "seconds_since_seen": round((now - row.last_seen).total_seconds(), 3)}
