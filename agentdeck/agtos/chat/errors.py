"""The chat domain's failures, each carrying the agtOS error body its handler answers with.

Raised from a handler they need no translation: the agtOS error shape adds the fields of
``details`` to ``{"error": message}``, which gives exactly ``body``.
"""
from __future__ import annotations

from agentdeck.errors import DomainError


class ChatProcessingFailed(DomainError):
    """Every provider of the chat slot's chain failed (500).

    ``detail`` says which providers failed and how; ``body`` is the reference's error body
    ``{"error": "Chat processing failed", "message": detail}``.
    """

    status = 500
    title = "Chat processing failed"

    def __init__(self, detail: str, **extra):
        super().__init__(self.title, details=[{"message": detail, **extra}])
        self.detail = detail
        self.body = {"error": self.title, "message": detail, **extra}


class TaskProcessingFailed(ChatProcessingFailed):
    """A task's agent loop failed as above (500); ``body`` also carries its ``taskId``."""

    title = "Task processing failed"

    def __init__(self, detail: str, task_id: str):
        super().__init__(detail, taskId=task_id)
        self.task_id = task_id
