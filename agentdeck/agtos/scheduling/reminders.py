"""The ``schedule_reminder`` agent tool: chat can set a reminder, a one-off task (or a repeating
cron one) that fires ``agtos.reminder`` with an ``alert`` payload for the alert channels."""
from __future__ import annotations

from agentdeck import scheduler
from agentdeck.agtos.scheduling.tasks import task_body

TOPIC = "agtos.reminder"
PARAMETERS = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "minLength": 1, "maxLength": 500, "description": "What to remind the user of"},
        "inSeconds": {"type": "integer", "minimum": 1, "maximum": 31536000,
                      "description": "Remind once, this many seconds from now"},
        "cron": {"type": "string", "maxLength": 100, "description": "Or remind repeatedly: a five-field cron expression"},
        "timezone": {"type": "string", "maxLength": 64, "description": "IANA time zone of cron (default UTC)"},
    },
    "additionalProperties": False,
}
DESCRIPTION = ("Set a reminder for the user: once after inSeconds, or repeatedly on a cron schedule. "
               "Returns the scheduled task.")


def schedule_reminder(message: str, inSeconds: int | None = None, cron: str | None = None,
                      timezone: str | None = None) -> dict:
    """Create the reminder's task; exactly one of ``inSeconds`` and ``cron``."""
    import time

    if (inSeconds is None) == (cron is None):
        raise ValueError("give either inSeconds or cron")
    payload = {"alert": {"title": "Reminder", "message": message, "severity": "info"}, "reminder": message}
    if cron is not None:
        task = scheduler.create_task(name=f"Reminder: {message[:80]}", kind="cron", expression=cron,
                                     timezone=timezone, event_topic=TOPIC, payload=payload)
    else:
        task = scheduler.create_task(name=f"Reminder: {message[:80]}", kind="once",
                                     at=int((time.time() + inSeconds) * 1000), event_topic=TOPIC, payload=payload)
    return task_body(task)
