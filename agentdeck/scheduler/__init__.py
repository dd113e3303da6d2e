"""The scheduler: tasks kept in the database that publish an event on the bus when due.

    from agentdeck import scheduler

    task = scheduler.create_task(name="Morning briefing", kind="cron", expression="0 7 * * *",
                                 timezone="Europe/Paris", event_topic="briefing.morning",
                                 payload={"workflowId": "morning-routine"})

Every worker runs ``scheduler_loop`` (started in the app's lifespan); each due time fires
exactly once across all of them. See docs/scheduler.md.
"""
from agentdeck.scheduler.runner import FiredRun, fire_due_tasks, scheduler_loop
from agentdeck.scheduler.tasks import STATUSES, TaskNotFound, create_task, delete_task, get_task, list_tasks

__all__ = ["FiredRun", "STATUSES", "TaskNotFound", "create_task", "delete_task", "fire_due_tasks",
           "get_task", "list_tasks", "scheduler_loop"]
