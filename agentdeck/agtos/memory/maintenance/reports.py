"""Maintenance reports: kept 30 days and at most 200, listed newest first, read by timestamp."""
from __future__ import annotations

from datetime import timedelta

from agentdeck.errors import NotFound
from agentdeck.storage.db import gives_back_connection, writing
from agentdeck.storage.models.agtos_entities import MaintenanceReport
from agentdeck.timeutil import utcnow

RETENTION = timedelta(days=30)
MAX_REPORTS = 200


class ReportNotFound(NotFound):
    """No report has this timestamp, or it expired (404 ``Report not found``)."""

    def __init__(self):
        super().__init__("Report not found")


def store_report(report: dict, trigger: str) -> None:
    """Keep ``report`` under its ``timestamp`` and drop expired reports and those past the 200
    newest. A timestamp already taken (two sweeps in one millisecond) moves on by 1 ms."""
    with writing():
        while MaintenanceReport.get_or_none(MaintenanceReport.timestamp_ms == report["timestamp"]):
            report["timestamp"] += 1
        MaintenanceReport.create(timestamp_ms=report["timestamp"], trigger=trigger, report=report,
                                 expires_at=utcnow() + RETENTION)
        prune_reports()


def prune_reports() -> int:
    """Delete expired reports and all but the newest 200; returns how many went."""
    gone = MaintenanceReport.delete().where(MaintenanceReport.expires_at <= utcnow()).execute()
    keep = [r.timestamp_ms for r in MaintenanceReport.select(MaintenanceReport.timestamp_ms)
            .order_by(MaintenanceReport.timestamp_ms.desc()).limit(MAX_REPORTS)]
    if len(keep) == MAX_REPORTS:
        gone += MaintenanceReport.delete().where(MaintenanceReport.timestamp_ms < keep[-1]).execute()
    return gone


def _live():
    return MaintenanceReport.select().where(MaintenanceReport.expires_at > utcnow())


@gives_back_connection
def list_reports(limit: int = 20) -> dict:
    """``{reports, count}``: the newest unexpired reports, whole."""
    rows = list(_live().order_by(MaintenanceReport.timestamp_ms.desc()).limit(limit))
    return {"reports": [r.report for r in rows], "count": len(rows)}


@gives_back_connection
def get_report(timestamp: int) -> dict:
    """The report of ``timestamp`` (Unix ms); ``ReportNotFound`` when absent or expired."""
    row = _live().where(MaintenanceReport.timestamp_ms == timestamp).first()
    if row is None:
        raise ReportNotFound()
    return row.report
