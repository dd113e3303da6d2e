"""agtOS chat handlers: one answer, the answer as Server-Sent Events, a session's history."""
import asyncio
import json
from contextlib import aclosing

from starlette.responses import StreamingResponse

from agentdeck.agtos.chat import chat_events, chat_once, history
from agentdeck.agtos.memory.maintenance.guard import chat_stream_in_flight
from agentdeck.storage.db import gives_back_connection

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def send_chat(body):
    """POST /api/chat"""
    return await chat_once(body.get("sessionId"), body["text"], body.get("files")), 200


async def _as_sse(events):
    # A client that goes away cancels this generator; closing the events closes the upstream call.
    # Counted while it runs, so the memory maintenance sweep waits for it (its resource guard).
    async with chat_stream_in_flight(), aclosing(events) as stream:
        async for event in stream:
            yield f"data: {json.dumps({'type': event['type'], **event})}\n\n"


async def stream_chat(body):
    """POST /api/chat/stream"""
    # With files, the chat slot's provider is read from the database: off the event loop.
    events = await asyncio.to_thread(gives_back_connection(chat_events), body.get("sessionId"),
                                     body["text"], body.get("files"))
    return StreamingResponse(_as_sse(events), media_type="text/event-stream", headers=_SSE_HEADERS)


def get_chat_history(sessionId):
    """GET /api/chat/history/{sessionId}"""
    return history(sessionId), 200
