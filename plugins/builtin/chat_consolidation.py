"""Conversations become memory episodes (see ``agentdeck.agtos.memory.consolidation``)."""
from __future__ import annotations

from agentdeck import hookimpl

TOPIC = "agtos.chat.segment"


async def consolidate_segment(event) -> None:
    """Store the messages of ``event.payload`` (``{sessionId, messages}``) as one episode."""
    from agentdeck.agtos.memory.consolidation import consolidate

    payload = event.payload or {}
    if isinstance(payload.get("sessionId"), str) and isinstance(payload.get("messages"), list):
        await consolidate(payload["sessionId"], payload["messages"])


@hookimpl
def register_event_subscribers(register):
    """Subscribe ``agtos-chat-consolidation`` to ``agtos.chat.segment``."""
    register(TOPIC, consolidate_segment, name="agtos-chat-consolidation")
