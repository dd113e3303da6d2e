"""The daily sweep: run from the maintenance loop, once per due time across workers and hosts.

``AGENTDECK_AGTOS_MAINTENANCE_SCHEDULE`` (default ``0 3 * * *``, UTC) says when; empty or
``off`` turns it off. The next due time is one database row: the worker whose conditional
UPDATE moves it on runs that sweep (the sweep itself holds the maintenance lease). A due time
that passed while no server ran is swept once on start; a sweep the guard defers is tried again
at the next maintenance tick until it runs or the next due time comes.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from croniter import croniter

from agentdeck.agtos.memory.maintenance.sweep import MaintenanceDeferred, ProfileDisconnected, run_sweep
from agentdeck.settings import Settings
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.agtos_entities import MaintenanceSchedule
from agentdeck.timeutil import utcnow

log = logging.getLogger(__name__)
ROW = "daily"


def schedule_expression(settings: Settings | None = None) -> str | None:
    """The cron expression in force, or None when the daily sweep is off (or it is invalid)."""
    expression = (settings or Settings.from_env()).agtos_maintenance_schedule.strip()
    if not expression or expression.lower() == "off":
        return None
    if not croniter.is_valid(expression):
        log.error("AGENTDECK_AGTOS_MAINTENANCE_SCHEDULE %r is not a cron expression: no daily sweep", expression)
        return None
    return expression


def _next_after(expression: str, moment: datetime) -> datetime:
    return croniter(expression, moment).get_next(datetime)


@gives_back_connection
def claim_due_sweep(now: datetime | None = None) -> bool:
    """True when this caller claimed a due sweep (and must run it). The first call for an
    expression only records its next due time."""
    expression = schedule_expression()
    if expression is None:
        return False
    now = now or utcnow()
    with writing():
        row = MaintenanceSchedule.get_or_none(MaintenanceSchedule.name == ROW)
        if row is None:
            MaintenanceSchedule.insert(name=ROW, expression=expression,
                                       next_due_at=_next_after(expression, now)).on_conflict_ignore().execute()
            return False
        if row.expression != expression:  # a changed schedule starts from its own next due time
            (MaintenanceSchedule.update(expression=expression, next_due_at=_next_after(expression, now))
             .where(MaintenanceSchedule.name == ROW).execute())
            return False
        if row.next_due_at > now:
            return False
        return bool(MaintenanceSchedule.update(next_due_at=_next_after(expression, now))
                    .where((MaintenanceSchedule.name == ROW) & (MaintenanceSchedule.next_due_at == row.next_due_at))
                    .execute())


@gives_back_connection
def _give_back(due: datetime) -> None:
    # A deferred sweep stays owed: its due time is put back unless a later one was set since.
    with writing():
        MaintenanceSchedule.update(next_due_at=due).where(MaintenanceSchedule.name == ROW).execute()


def run_scheduled_sweep() -> None:
    """The maintenance-loop sweep: run the daily memory sweep if it is due."""
    now = utcnow()
    if not claim_due_sweep(now):
        return
    try:
        report = asyncio.run(_sweep_and_close())
        log.info("scheduled memory maintenance: %s", report["summary"])
    except MaintenanceDeferred as exc:
        log.info("scheduled memory maintenance deferred: %s", exc.reason)
        _give_back(now)
    except ProfileDisconnected:
        log.warning("scheduled memory maintenance skipped: the memory store is not available")


async def _sweep_and_close() -> dict:
    from agentdeck.router import get_router
    router = get_router()
    try:
        return await run_sweep("schedule", router)
    finally:
        await router.pool.aclose()
