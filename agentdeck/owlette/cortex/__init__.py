"""owlette cortex: a chat about the fleet, answered by a model with fleet tools.

``POST /api/cortex`` runs the agent loop agtOS chat uses (``agentdeck.agtos.chat.loop``) with the
model of the caller's LLM key, else the site's (``agentdeck.owlette.llm_keys``), called through
the router's provider pool (its base URLs, timeouts and connection reuse), and the fleet tools
of ``cortex.tools`` bound to the caller's site. Events stream as Server-Sent Events.
"""
from __future__ import annotations

import json
import logging
from typing import AsyncIterator

from agentdeck.errors import InvalidInput
from agentdeck.providers.errors import ProviderError
from agentdeck.router.upstreams import provider_id
from agentdeck.settings import get_settings

from agentdeck.owlette.cortex.tools import CortexContext, bound_tools

log = logging.getLogger("agentdeck.owlette.cortex")
SITE_WIDE = "__site__"
MAX_MESSAGES = 100
SYSTEM = ("You are Cortex, the assistant of the owlette dashboard for site {site}. Answer from the "
          "fleet's real state: call the tools to look at machines, processes and logs before you "
          "say how things are. {scope} Be brief and concrete.")


class KeyedModel:
    """What the agent loop calls as its router: one provider and model, with a given key."""

    def __init__(self, provider: str, api_key: str, model: str):
        from agentdeck.router import get_router

        self.client = get_router().pool.get(provider_id(provider), api_key)
        self.model = model

    async def complete(self, _slot, messages, *, tools=None, options=None):
        from agentdeck.router import RoutedCompletion

        completion = await self.client.complete(messages, model=self.model, tools=tools, options=options)
        return RoutedCompletion(completion, "cortex", "cortex", self.model, 0)

    def stream(self, _slot, messages, *, tools=None, options=None):
        return self.client.stream(messages, model=self.model, tools=tools, options=options)


def conversation(body: dict, site_id: str) -> list[dict]:
    """The model's messages: the system prompt, then the client's user and assistant turns."""
    messages = body.get("messages") or []
    if not messages or len(messages) > MAX_MESSAGES:
        raise InvalidInput(f"messages must hold 1 to {MAX_MESSAGES} messages")
    machine_id = body.get("machineId") or SITE_WIDE
    scope = ("The user is asking about the whole site." if machine_id == SITE_WIDE else
             f"The user is looking at machine {body.get('machineName') or machine_id} (id {machine_id}).")
    turns = [{"role": "system", "content": SYSTEM.format(site=site_id, scope=scope)}]
    for message in messages:
        text = message.get("content")
        if isinstance(text, list):  # content parts: keep the text ones
            text = "".join(part.get("text", "") for part in text if isinstance(part, dict))
        if message.get("role") not in ("user", "assistant") or not isinstance(text, str):
            raise InvalidInput("each message needs role user or assistant and text content")
        turns.append({"role": message["role"], "content": text})
    if turns[-1]["role"] != "user":
        raise InvalidInput("the last message must be the user's")
    return turns


async def stream_chat(key: dict, messages: list[dict], ctx: CortexContext, chat_id: str | None) -> AsyncIterator[bytes]:
    """The loop's events as SSE ``data:`` lines, ending with ``data: [DONE]``."""
    from agentdeck.agtos.chat.loop import AgentLoop

    settings = get_settings()
    loop = AgentLoop(KeyedModel(key["provider"], key["apiKey"], key["model"]), messages, bound_tools(ctx),
                     max_steps=settings.agtos_chat_max_steps, tool_timeout=max(settings.agtos_chat_tool_timeout, 35.0))
    yield _sse({"type": "start", "chatId": chat_id, "provider": key["provider"], "model": key["model"],
                "keySource": key["source"]})
    try:
        async for event in loop.events():
            yield _sse(event)
    except ProviderError as exc:
        log.warning("cortex for %s: the model failed: %s", ctx.site_id, exc)
        yield _sse({"type": "error", "error": f"The model could not answer: {exc.message}"})
    yield b"data: [DONE]\n\n"


def _sse(event: dict) -> bytes:
    return b"data: " + json.dumps(event, default=str).encode() + b"\n\n"


def redact_key_command(site_id: str, command_id: str) -> None:
    """Once the machine has the key, the copy in the command's data is blanked (it is a secret)."""
    from agentdeck.storage.db import writing
    from agentdeck.storage.models.owlette_fleet import Command

    with writing():
        row = Command.get_or_none((Command.id == command_id) & (Command.site == site_id))
        if row is not None and isinstance(row.data, dict) and "api_key" in row.data:
            Command.update(data={**row.data, "api_key": "[redacted]"}).where(Command.id == command_id).execute()
