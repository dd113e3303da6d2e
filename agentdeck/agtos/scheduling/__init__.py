"""agtOS scheduling: the HTTP side of the core scheduler (``tasks``), the event bus subscribers
that act on fired tasks (``subscribers``: workflows, background agent tasks, alerts) and the
``schedule_reminder`` agent tool (``reminders``)."""
