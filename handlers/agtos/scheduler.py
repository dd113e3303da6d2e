"""agtOS scheduler handlers."""
from agentdeck.agtos.scheduling import tasks


def list_tasks():
    """GET /api/scheduler/tasks"""
    return tasks.list_tasks(), 200


def create_task(body):
    """POST /api/scheduler/tasks"""
    return tasks.create_task(body), 201


def cancel_task(id):
    """DELETE /api/scheduler/tasks/{id}"""
    return tasks.cancel_task(id), 200
