"""The SDK's further streams: costs, reasoning, outcomes, eval candidates, side effects and
judge decisions (ingest), and the bundle files they make (read)."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.augur import records
from agentdeck.augur.events import to_jsonl
from agentdeck.augur.principals import IngestClient, Viewer

# The ingest calls are async, like put_step: their writes go to the group-commit writer.


async def put_costs(run_id, body, token_info):
    """PUT /api/v1/runs/{run_id}/costs"""
    kept = await records.put_costs(IngestClient.from_token_info(token_info), run_id, body)
    stored = {"run_id": run_id, "stored": "costs.json"}
    return (stored if kept else {**stored, "superseded": True}), 200


async def append_reasoning(run_id, body, token_info):
    """POST /api/v1/runs/{run_id}/reasoning"""
    await records.append_record(IngestClient.from_token_info(token_info), run_id, records.REASONING, body)
    return {"run_id": run_id, "stored": "events/reasoning.jsonl"}, 200


async def append_outcome(run_id, body, token_info):
    """POST /api/v1/runs/{run_id}/outcomes"""
    await records.append_record(IngestClient.from_token_info(token_info), run_id, records.OUTCOMES, body)
    return {"run_id": run_id, "stored": "outcomes.json"}, 200


async def append_eval_candidate(run_id, body, token_info):
    """POST /api/v1/runs/{run_id}/eval-candidates"""
    await records.append_record(IngestClient.from_token_info(token_info), run_id,
                                records.EVAL_CANDIDATES, body)
    return {"run_id": run_id, "stored": "eval_candidates.json"}, 200


async def put_side_effect(run_id, body, token_info):
    """POST /api/v1/runs/{run_id}/side-effects"""
    path, kept = await records.put_side_effect(IngestClient.from_token_info(token_info), run_id, body)
    stored = {"run_id": run_id, "stored": path}
    return (stored if kept else {**stored, "superseded": True}), 200


async def append_judge_decision(run_id, step_index, body, token_info):
    """POST /api/v1/runs/{run_id}/steps/{step_index}/judge-decisions"""
    await records.append_record(IngestClient.from_token_info(token_info), run_id,
                                records.JUDGE_DECISIONS, body, step_index)
    return {"run_id": run_id, "stored": f"judge_decisions/{step_index:04d}.jsonl"}, 200


def get_costs(run_id, token_info):
    """GET /api/v1/runs/{run_id}/costs.json"""
    return records.costs(Viewer.from_token_info(token_info).tenant_id, run_id), 200


def get_outcomes(run_id, token_info):
    """GET /api/v1/runs/{run_id}/outcomes.json"""
    return records.outcomes(Viewer.from_token_info(token_info).tenant_id, run_id), 200


def get_eval_candidates(run_id, token_info):
    """GET /api/v1/runs/{run_id}/eval_candidates.json"""
    return records.eval_candidates(Viewer.from_token_info(token_info).tenant_id, run_id), 200


def get_side_effect(run_id, name, token_info):
    """GET /api/v1/runs/{run_id}/side_effects/{name}.json"""
    return records.side_effect(Viewer.from_token_info(token_info).tenant_id, run_id, name), 200


def get_judge_decisions(run_id, step, token_info):
    """GET /api/v1/runs/{run_id}/judge_decisions/{step}.jsonl"""
    found = records.judge_decisions(Viewer.from_token_info(token_info).tenant_id, run_id, step)
    return ConnexionResponse(status_code=200, body=to_jsonl(found), content_type="application/jsonl")
