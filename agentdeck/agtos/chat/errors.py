"""The chat domain's failures, each carrying the agtOS error body its handler answers with."""
from __future__ import annotations

from agentdeck.errors import DomainError


class ChatProcessingFailed(DomainError):
    """Every provider of the chat slot's chain failed (500).

    ``detail`` says which providers failed and how; ``body`` is the reference's error body
    ``{"error": "Chat processing failed", "message": detail}``.
    """

    status = 500
    title = "Chat processing failed"

    def __init__(self, detail: str):
        super().__init__(self.title)
        self.detail = detail
        self.body = {"error": self.title, "message": detail}


class TaskProcessingFailed(ChatProcessingFailed):
    """A task's agent loop failed as above (500); ``body`` also carries its ``taskId``."""

    title = "Task processing failed"

    def __init__(self, detail: str, task_id: str):
        super().__init__(detail)
        self.task_id = task_id
        self.body["taskId"] = task_id
