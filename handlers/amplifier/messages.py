"""Message handlers: a whole reply, a reply as Server-Sent Events, and cancellation."""
from starlette.responses import StreamingResponse

from agentdeck.amplifier import replies

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def send_message(session_id, body):
    """POST /sessions/{session_id}/messages"""
    return await replies.answer_message(session_id, body["message"]), 200


async def stream_message(session_id, body):
    """POST /sessions/{session_id}/stream"""
    events = await replies.stream_reply(session_id, body["message"])
    return StreamingResponse(events, media_type="text/event-stream", headers=_SSE_HEADERS)


async def cancel_session(session_id):
    """POST /sessions/{session_id}/cancel"""
    await replies.cancel_reply(session_id)
    return {"message": "Cancellation requested"}, 200
