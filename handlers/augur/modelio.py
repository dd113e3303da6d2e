"""Model I/O records."""
from agentdeck.augur import bundle
from agentdeck.augur.principals import IngestClient, Viewer


def upload_modelio(run_id, relpath, body, token_info):
    """POST /api/v1/runs/{run_id}/modelio/{relpath}"""
    return bundle.save_modelio(IngestClient.from_token_info(token_info), run_id, relpath, body), 201


def get_modelio(run_id, relpath, token_info):
    """GET /api/v1/runs/{run_id}/modelio/{relpath}"""
    return bundle.read_modelio(Viewer.from_token_info(token_info).tenant_id, run_id, relpath), 200
