"""agtOS workflow handlers."""
import asyncio

from agentdeck.agtos import workflows
from agentdeck.storage.db import gives_back_connection


def list_workflows():
    """GET /api/workflows"""
    return workflows.list_workflows(), 200


async def execute_workflow(id, body=None):
    """POST /api/workflows/{id}/execute"""
    return {"execution": await workflows.execute_workflow(id, (body or {}).get("input") or {})}, 200


async def list_executions(id, limit=50):
    """GET /api/workflows/{id}/executions"""
    return await asyncio.to_thread(gives_back_connection(workflows.list_executions), id, limit), 200
