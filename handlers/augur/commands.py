"""Intervention commands: queued by an operator, long-polled by the run's SDK."""
from agentdeck.augur import commands
from agentdeck.augur.principals import IngestClient, Viewer


async def poll_commands(run_id, token_info, cursor=None):
    """GET /api/v1/runs/{run_id}/commands"""
    # async: a held poll waits on the event loop, not on a worker thread (see agentdeck.augur.commands)
    return await commands.poll_commands(IngestClient.from_token_info(token_info), run_id, cursor), 200


def queue_command(run_id, body, token_info):
    """POST /api/v1/runs/{run_id}/commands"""
    queued = commands.queue_for_viewer(Viewer.from_token_info(token_info), run_id, body.get("type"),
                                       body.get("payload"))
    return queued, 201
