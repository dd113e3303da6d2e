"""owlette cortex's autonomous investigations, run from the event bus (see
``agentdeck.owlette.cortex.autonomous``)."""
from __future__ import annotations

from agentdeck import hookimpl


async def investigate(event) -> None:
    """Investigate the chat ``event.payload["chatId"]`` accepted by ``/api/cortex/autonomous``."""
    from agentdeck.owlette.cortex import autonomous

    chat_id = (event.payload or {}).get("chatId")
    if isinstance(chat_id, str) and chat_id:
        await autonomous.investigate(chat_id)


@hookimpl
def register_event_subscribers(register):
    """Subscribe ``owlette-cortex-autonomous`` to ``owlette.cortex.investigate``."""
    register("owlette.cortex.investigate", investigate, name="owlette-cortex-autonomous")
