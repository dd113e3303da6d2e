"""Run logs."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.augur import bundle
from agentdeck.augur.principals import IngestClient, Viewer


def append_log(run_id, body, token_info):
    """POST /api/v1/runs/{run_id}/logs"""
    stored = bundle.append_log(IngestClient.from_token_info(token_info), run_id, body["text"],
                               body.get("name"), body.get("step_index"))
    return stored, 200


def get_log(run_id, log_name, token_info):
    """GET /api/v1/runs/{run_id}/logs/{log_name}.log"""
    data = bundle.read_log(Viewer.from_token_info(token_info).tenant_id, run_id, log_name)
    return ConnexionResponse(status_code=200, body=data, content_type="text/plain; charset=utf-8")
