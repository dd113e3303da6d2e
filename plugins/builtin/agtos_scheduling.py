"""agtOS's scheduled-task subscribers (workflows, agent tasks, alerts) and the reminder tool."""
from __future__ import annotations

from agentdeck import hookimpl
from agentdeck.agtos.scheduling import reminders, subscribers


@hookimpl
def register_event_subscribers(register):
    """Subscribe ``agtos-scheduled-tasks`` to every topic (it acts on payloads that ask it to)."""
    register("*", subscribers.handle_event, name="agtos-scheduled-tasks")


@hookimpl
def register_agent_tools(register):
    """Register ``schedule_reminder``."""
    register("schedule_reminder", reminders.DESCRIPTION, reminders.PARAMETERS, reminders.schedule_reminder)
