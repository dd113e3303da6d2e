"""Runs: the manifest (ingest), the trace (ingest and read), the list, the bundle's files."""
from agentdeck.augur import export, runs
from agentdeck.augur.principals import IngestClient, Viewer


def create_run(body, token_info):
    """POST /api/v1/runs"""
    created = runs.open_run(IngestClient.from_token_info(token_info), body)
    return {"run_id": body["run_id"], "created": created}, 201 if created else 200


def put_trace(run_id, body, token_info):
    """PUT /api/v1/runs/{run_id}/trace"""
    runs.put_trace(IngestClient.from_token_info(token_info), run_id, body)
    return {"run_id": run_id, "stored": "trace.json"}, 200


def list_runs(token_info, limit=50, offset=0):
    """GET /api/v1/runs"""
    return runs.list_runs(Viewer.from_token_info(token_info).tenant_id, limit, offset), 200


def get_manifest(run_id, token_info):
    """GET /api/v1/runs/{run_id}/manifest.json"""
    return runs.get_manifest(Viewer.from_token_info(token_info).tenant_id, run_id), 200


def get_trace(run_id, token_info):
    """GET /api/v1/runs/{run_id}/trace.json"""
    return runs.get_trace(Viewer.from_token_info(token_info).tenant_id, run_id), 200


def list_run_files(run_id, token_info):
    """GET /api/v1/runs/{run_id}/files"""
    files = export.bundle_paths(Viewer.from_token_info(token_info).tenant_id, run_id)
    return {"run_id": run_id, "files": files}, 200
