"""Diagnostic findings."""
from agentdeck.augur import diagnostics
from agentdeck.augur.principals import Viewer
from agentdeck.storage.db import gives_back_connection


@gives_back_connection
def get_findings(run_id, token_info):
    """GET /api/v1/runs/{run_id}/diagnostics/findings.json"""
    return diagnostics.findings(Viewer.from_token_info(token_info).tenant_id, run_id), 200
