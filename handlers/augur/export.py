"""A run as one archive."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.augur import export
from agentdeck.augur.principals import Viewer


def export_run(run_id, token_info):
    """GET /api/v1/runs/{run_id}/export.tar.gz"""
    data = export.export_run(Viewer.from_token_info(token_info).tenant_id, run_id)
    headers = {"Content-Disposition": f'attachment; filename="{run_id}.tar.gz"'}
    return ConnexionResponse(status_code=200, body=data, content_type="application/gzip", headers=headers)
