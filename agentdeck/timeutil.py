"""Time in one convention: naive UTC datetimes in the database, ISO 8601 with ``Z`` on the wire."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """The current time as a naive UTC datetime (what the database columns hold)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_iso(dt: datetime | None) -> str | None:
    """``2023-10-27T10:00:05.123Z`` for a naive-UTC or aware datetime; None stays None."""
    if dt is None:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.isoformat(timespec="milliseconds") + "Z"


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or an offset or none = UTC) to naive UTC.

    Raises ``ValueError`` for text that is not a timestamp.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


def unix_ms(dt: datetime | None) -> int | None:
    """Unix milliseconds of a naive-UTC or aware datetime (the agtOS wire format); None stays None."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)
