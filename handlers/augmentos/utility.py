"""Health and error reporting handlers."""
from connexion import request

from agentdeck.augmentos.error_reports import submit_error_report as store_report
from agentdeck.timeutil import to_iso, utcnow


async def get_health():
    """GET /health (no database work: answered on the event loop, without a thread hop)"""
    return {"status": "ok", "timestamp": to_iso(utcnow())}, 200


def submit_error_report(body):
    """POST /api/error-report"""
    authorization = request.headers.get("authorization", "")
    bearer = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
    store_report(body, [bearer, request.headers.get("x-core-token")])
    return {"success": True}, 200
