"""Step records."""
from agentdeck.augur import runs
from agentdeck.augur.principals import IngestClient, Viewer


async def put_step(run_id, step_index, body, token_info):
    """PUT /api/v1/runs/{run_id}/steps/{step_index}"""
    # async: the hottest ingest call hands its write to the group-commit writer without a
    # thread hop of its own (see agentdeck.augur.group_commit)
    kept = await runs.put_step(IngestClient.from_token_info(token_info), run_id, step_index, body)
    stored = {"run_id": run_id, "stored": f"steps/{runs.step_name(step_index)}.json"}
    return (stored if kept else {**stored, "superseded": True}), 200


def get_step(run_id, step, token_info):
    """GET /api/v1/runs/{run_id}/steps/{step}.json"""
    return runs.get_step(Viewer.from_token_info(token_info).tenant_id, run_id, step), 200
