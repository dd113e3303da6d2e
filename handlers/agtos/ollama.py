"""agtOS Ollama handlers."""
import json
from contextlib import aclosing

from connexion import request
from starlette.responses import StreamingResponse

from agentdeck.agtos.ollama import service
from agentdeck.agtos.settings.access import require_operator

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _client_host():
    return request.client.host if request.client else None


async def get_ollama_status():
    """GET /api/ollama/status"""
    return await service.status(), 200


async def list_ollama_models():
    """GET /api/ollama/models"""
    return await service.models(), 200


async def pull_ollama_model(body):
    """POST /api/ollama/pull"""
    require_operator(_client_host())
    name = await service.prepare_pull(body["model"])

    async def events():
        async with aclosing(service.pull(name)) as stream:
            async for event in stream:
                yield f"data: {json.dumps(event)}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers=_SSE_HEADERS)


async def start_ollama():
    """POST /api/ollama/start"""
    require_operator(_client_host())
    return await service.start(), 200
