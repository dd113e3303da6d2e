"""A site's activity log: every command, crash, deployment step and sign-in of note.

Any part of owlette records an entry with one call::

    from agentdeck.owlette import activity

    activity.record("nyc-office", "command_sent", machine_id="kiosk-1", user_id=user.id,
                    details={"type": "restart_process", "processName": "TouchDesigner"})

and ``GET /api/logs`` reads them back with the reference's filters (``list_entries``).
"""
from __future__ import annotations

from datetime import datetime, timezone

from agentdeck.errors import InvalidInput
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette_alerts import OwletteActivity
from agentdeck.timeutil import parse_iso, to_iso

LEVELS = ("info", "warning", "error")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def record(site_id: str, action: str, *, level: str = "info", machine_id: str | None = None,
           user_id: str | None = None, details: dict | None = None,
           process_name: str | None = None) -> OwletteActivity:
    """Append an entry to ``site_id``'s activity log and return it.

    ``process_name`` defaults to ``details["processName"]`` when that is given, so that the log's
    ``processName`` column is filled for process events without callers naming it twice.
    """
    if level not in LEVELS:
        raise ValueError(f"activity level must be one of {', '.join(LEVELS)}, not {level!r}")
    if process_name is None and details and isinstance(details.get("processName"), str):
        process_name = details["processName"]
    with writing():
        return OwletteActivity.create(site=site_id, action=action[:64], level=level,
                                      machine_id=machine_id, user_id=user_id,
                                      process_name=process_name[:200] if process_name else None,
                                      details=details or None)


def list_entries(site_id: str, *, limit: int = DEFAULT_LIMIT, action: str | None = None,
                 level: str | None = None, machine_id: str | None = None,
                 since: datetime | None = None) -> list[dict]:
    """The newest entries of ``site_id`` first, filtered as ``GET /api/logs`` asks."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    if level is not None and level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}")
    query = OwletteActivity.select().where(OwletteActivity.site == site_id)
    if action:
        query = query.where(OwletteActivity.action == action)
    if level:
        query = query.where(OwletteActivity.level == level)
    if machine_id:
        query = query.where(OwletteActivity.machine_id == machine_id)
    if since is not None:
        query = query.where(OwletteActivity.created_at >= since)
    rows = query.order_by(OwletteActivity.created_at.desc(), OwletteActivity.id.desc()).limit(limit)
    return [to_dict(row) for row in rows]


def parse_since(value: str | None) -> datetime | None:
    """``since`` as the log filter takes it: Unix milliseconds, or an ISO 8601 timestamp."""
    if value is None or value == "":
        return None
    try:
        if value.strip().isdigit():
            return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc).replace(tzinfo=None)
        return parse_iso(value)
    except (ValueError, OverflowError, OSError):
        raise InvalidInput("since must be Unix milliseconds or an ISO 8601 timestamp") from None


def to_dict(entry: OwletteActivity) -> dict:
    """An entry as the reference's log body shows it."""
    return {"id": entry.id, "timestamp": to_iso(entry.created_at), "action": entry.action,
            "level": entry.level, "machineId": entry.machine_id, "processName": entry.process_name,
            "userId": entry.user_id, "details": entry.details or {}}
