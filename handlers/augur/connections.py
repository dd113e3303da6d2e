"""Heartbeats and the live-connections list."""
from agentdeck.augur import connections
from agentdeck.augur.principals import IngestClient, Viewer


async def send_heartbeat(body, token_info):
    """POST /api/v1/heartbeat"""
    # async, like put_step: the write goes to the group-commit writer
    return await connections.record_heartbeat(IngestClient.from_token_info(token_info), body), 200


def list_connections(token_info):
    """GET /api/v1/connections"""
    found = connections.list_connections(Viewer.from_token_info(token_info).tenant_id)
    return {"window_seconds": connections.WINDOW_SECONDS, "connections": found}, 200
