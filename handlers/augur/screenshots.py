"""Screenshots."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.augur import bundle
from agentdeck.augur.principals import IngestClient, Viewer


def upload_screenshot(run_id, step_index, kind, token_info, image=None, body=None):
    """POST /api/v1/runs/{run_id}/screenshots/{step_index}/{kind}"""
    data = bundle.uploaded_bytes(image, body)
    stored = bundle.save_screenshot(IngestClient.from_token_info(token_info), run_id, step_index, kind, data)
    return stored, 201


def get_screenshot(run_id, step, kind, token_info):
    """GET /api/v1/runs/{run_id}/screenshots/{step}_{kind}.png"""
    data = bundle.read_screenshot(Viewer.from_token_info(token_info).tenant_id, run_id, step, kind)
    return ConnexionResponse(status_code=200, body=data, content_type="image/png")
