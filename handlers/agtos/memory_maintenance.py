"""agtOS memory maintenance handlers: run a sweep, list its reports, read one."""
from agentdeck.agtos.memory.maintenance import reports
from agentdeck.agtos.memory.maintenance.sweep import run_sweep


async def run_maintenance(body):
    """POST /api/memory/maintain"""
    return await run_sweep("request"), 200


def list_maintenance_reports(limit=20):
    """GET /api/memory/maintenance/reports"""
    return reports.list_reports(limit), 200


def get_maintenance_report(timestamp):
    """GET /api/memory/maintenance/reports/{timestamp}"""
    return reports.get_report(int(timestamp)), 200
