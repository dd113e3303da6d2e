"""Decision events."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.augur import events
from agentdeck.augur.principals import IngestClient, Viewer


async def append_events(run_id, body, token_info):
    """POST /api/v1/runs/{run_id}/events"""
    # async, like put_step: the write goes to the group-commit writer
    accepted = await events.append_events(IngestClient.from_token_info(token_info), run_id,
                                    body["events"], body.get("step_index"))
    return {"accepted": accepted}, 200


def get_event_stream(run_id, stream, token_info):
    """GET /api/v1/runs/{run_id}/events/{stream}.jsonl"""
    text = events.read_stream(Viewer.from_token_info(token_info).tenant_id, run_id, stream)
    return ConnexionResponse(status_code=200, body=text, content_type="application/jsonl")
