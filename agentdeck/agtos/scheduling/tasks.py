"""``/api/scheduler/tasks`` over the core scheduler (``agentdeck.scheduler``): the reference's
request fields and task shape (times in Unix ms), and its error bodies."""
from __future__ import annotations

from agentdeck import scheduler
from agentdeck.errors import NotFound
from agentdeck.storage.models.scheduler import ScheduledTask
from agentdeck.timeutil import unix_ms


def task_body(task: ScheduledTask) -> dict:
    """A task as the reference shows it."""
    schedule = {"type": task.kind}
    if task.kind == "cron":
        schedule["expression"] = task.expression
        if task.timezone:
            schedule["timezone"] = task.timezone
    elif task.kind == "once":
        schedule["atTimestamp"] = unix_ms(task.at)
    else:
        schedule["intervalMs"] = task.every_ms
    body = {"id": task.id, "name": task.name, "status": task.status, "schedule": schedule,
            "action": {"eventTopic": task.event_topic, "payload": task.payload or {}},
            "nextRunAt": unix_ms(task.next_run_at), "runCount": task.run_count,
            "createdAt": unix_ms(task.created_at)}
    if task.last_run_at is not None:
        body["lastRunAt"] = unix_ms(task.last_run_at)
    return body


def create_task(body: dict) -> dict:
    """Create a task from the request body; ``InvalidInput`` with the reference's texts."""
    task = scheduler.create_task(name=body.get("name"), kind=body.get("scheduleType"),
                                 event_topic=body.get("eventTopic"), payload=body.get("payload"),
                                 expression=body.get("expression"), timezone=body.get("timezone"),
                                 at=body.get("atTimestamp"), every_ms=body.get("intervalMs"))
    return {"task": task_body(task)}


def list_tasks() -> dict:
    """Every task, oldest first."""
    tasks = [task_body(t) for t in scheduler.list_tasks()]
    return {"tasks": tasks, "count": len(tasks)}


def cancel_task(task_id: str) -> dict:
    """Remove the task (it fires no more); 404 with the reference's body when there is none."""
    try:
        scheduler.delete_task(task_id)
    except scheduler.TaskNotFound:
        raise NotFound("Failed to cancel task", details=[{"message": "Task not found"}]) from None
    return {"success": True, "taskId": task_id}
