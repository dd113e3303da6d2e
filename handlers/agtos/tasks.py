"""agtOS task handler."""
from agentdeck.agtos.chat import run_task


async def submit_task(body):
    """POST /api/tasks"""
    return await run_task(body["topic"]), 200
