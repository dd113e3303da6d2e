"""Diagnostic findings."""
from agentdeck.augur import diagnostics
from agentdeck.augur.principals import Viewer


def get_findings(run_id, token_info):
    """GET /api/v1/runs/{run_id}/diagnostics/findings.json"""
    return diagnostics.findings(Viewer.from_token_info(token_info).tenant_id, run_id), 200
