"""Entity extraction: every stored memory episode is read by the model for its entities and facts."""
from __future__ import annotations

from agentdeck import hookimpl
from agentdeck.agtos.entities.extraction import extract_from_episode

TOPIC = "memory.episode.created"


async def extract_entities(event) -> None:
    """Draw entities and relationships from the episode ``event.payload["episodeId"]``."""
    episode_id = (event.payload or {}).get("episodeId")
    if isinstance(episode_id, str) and episode_id:
        await extract_from_episode(episode_id)


@hookimpl
def register_event_subscribers(register):
    """Subscribe ``agtos-entity-extraction`` to ``memory.episode.created``."""
    register(TOPIC, extract_entities, name="agtos-entity-extraction")
