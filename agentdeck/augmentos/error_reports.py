"""Error reports from clients: any JSON object, size-bounded, attributed when a core token came."""
from __future__ import annotations

import json

from agentdeck.errors import PayloadTooLarge
from agentdeck.storage.models.augmentos import ErrorReport

from agentdeck.augmentos.users import user_for_token

MAX_REPORT_BYTES = 64 * 1024


def submit_error_report(report: dict, token_candidates: list[str | None]) -> ErrorReport:
    """Store a report; the first valid core token among the candidates names its user.

    The token itself is never stored: ``coreToken`` is removed from the body.
    """
    body = {k: v for k, v in report.items() if k != "coreToken"}
    if len(json.dumps(body)) > MAX_REPORT_BYTES:
        raise PayloadTooLarge(f"Error report is larger than {MAX_REPORT_BYTES} bytes")
    candidates = [*token_candidates, report.get("coreToken") if isinstance(report.get("coreToken"), str) else None]
    user = next((u for u in map(user_for_token, candidates) if u), "anonymous")
    return ErrorReport.create(user_id=user, report=body)


def list_error_reports(limit: int = 50) -> list[ErrorReport]:
    """The newest reports first (for operators)."""
    return list(ErrorReport.select().order_by(ErrorReport.created_at.desc()).limit(limit))
