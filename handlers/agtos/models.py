"""agtOS model registry handlers."""
import json

from connexion import request
from starlette.concurrency import iterate_in_threadpool
from starlette.responses import StreamingResponse

from agentdeck.agtos.models import download, registry
from agentdeck.agtos.settings.access import require_operator

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _client_host():
    return request.client.host if request.client else None


def list_models():
    """GET /api/models"""
    return registry.list_document(), 200


def get_model(modelId):
    """GET /api/models/{modelId}"""
    return registry.status_document(modelId), 200


async def download_model(body):
    """POST /api/models/download"""
    require_operator(_client_host())
    model = download.prepare(body["modelId"])

    async def events():
        async for event in iterate_in_threadpool(download.download(model)):
            yield f"data: {json.dumps(event)}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers=_SSE_HEADERS)


def delete_model(modelId):
    """DELETE /api/models/{modelId}"""
    require_operator(_client_host())
    return registry.delete(modelId), 200


def delete_all_models():
    """DELETE /api/models"""
    require_operator(_client_host())
    return registry.delete_all(), 200
