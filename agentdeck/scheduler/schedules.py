"""When a task is due: its first run, and the next one after a run (the downtime policy).

Downtime policy: a task is fired once for the due time it is claimed at, however late; its next
due time is then the first slot of its schedule strictly after the moment it fired. A server
that was down across several slots therefore fires each overdue task once on start, not once
per missed slot. Interval tasks keep their phase (slots stay ``every_ms`` apart from the first).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from agentdeck.errors import InvalidInput

KINDS = ("cron", "once", "interval")
MIN_INTERVAL_MS = 100


def check_timezone(name: str | None) -> ZoneInfo:
    """The zone called ``name`` (UTC when None); InvalidInput for an unknown one."""
    if name is None:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput(f"Unknown timezone: {name}") from None


def check_cron(expression) -> str:
    """``expression`` if croniter accepts it as a five-field cron expression; else InvalidInput."""
    if not isinstance(expression, str) or not expression.strip():
        raise InvalidInput("Cron schedule requires an expression field")
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise InvalidInput(f"Invalid cron expression: {expression}")
    return expression.strip()


def next_cron(expression: str, zone_name: str | None, after: datetime) -> datetime:
    """The first time strictly after ``after`` (naive UTC) that ``expression`` names, read in
    the zone ``zone_name`` (UTC when None); returned as naive UTC. A time that a change to
    summer time skips runs in the hour after it; one that the change back repeats runs once."""
    zone = check_timezone(zone_name)
    start = after.replace(tzinfo=timezone.utc).astimezone(zone)
    steps = croniter(expression, start)
    fixed_hours = not expression.split()[1].startswith("*")
    while True:
        following = steps.get_next(datetime).astimezone(timezone.utc)
        # When clocks go back, a wall-clock time comes twice: a job at set hours runs at the
        # first only (as cron does); one that runs every hour or more often runs at both.
        if not (fixed_hours and following.astimezone(zone).fold == 1):
            return following.replace(tzinfo=None)


def first_run(kind: str, *, expression: str | None, zone_name: str | None, at: datetime | None,
              every_ms: int | None, now: datetime) -> datetime:
    """A new task's first due time (naive UTC). A ``once`` task whose time has passed is due now."""
    if kind == "cron":
        return next_cron(expression, zone_name, now)
    if kind == "once":
        return at
    return now + timedelta(milliseconds=every_ms)


def next_run(kind: str, *, expression: str | None, zone_name: str | None, every_ms: int | None,
             due: datetime, now: datetime) -> datetime | None:
    """The due time after a run for ``due`` that fired at ``now``; None when there is none."""
    if kind == "once":
        return None
    if kind == "cron":
        return next_cron(expression, zone_name, max(now, due))
    step = timedelta(milliseconds=every_ms)
    missed = max(0, (now - due) // step)  # whole slots that went by while this run was late
    return due + step * (missed + 1)
