"""The ``current_time`` agent tool: the date and time now, in UTC or an IANA time zone."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agentdeck import hookimpl

PARAMETERS = {
    "type": "object",
    "properties": {
        "timezone": {"type": "string", "minLength": 1, "maxLength": 64,
                     "description": "IANA time zone name, e.g. Europe/Paris (default UTC)"},
    },
    "additionalProperties": False,
}


def current_time(timezone: str = "UTC") -> dict:
    """The time now in ``timezone``: ISO 8601 with offset, weekday, zone name, Unix seconds."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris") from None
    now = datetime.now(zone)
    return {"iso": now.isoformat(timespec="seconds"), "weekday": now.strftime("%A"),
            "timezone": timezone, "unix": int(now.timestamp())}


@hookimpl
def register_agent_tools(register):
    """Register ``current_time``."""
    register("current_time", "The current date and time (ISO 8601), optionally in an IANA time zone.",
             PARAMETERS, current_time)
