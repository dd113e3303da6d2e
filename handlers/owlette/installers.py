"""Agent installers: latest, versions, upload (announce, the signed PUT, finalise), download."""
from connexion import request
from connexion.lifecycle import ConnexionResponse

from agentdeck.errors import NotFound
from agentdeck.owlette import access
from agentdeck.owlette.fleet import installers
from agentdeck.owlette.principals import Principal

from agentdeck.owlette.fleet.callers import base_url


def latest_installer(token_info):
    """GET /api/admin/installer/latest"""
    found = installers.latest(base_url())
    if found is None:
        raise NotFound("No installer uploaded yet")
    return {"success": True, "installer": found, **found}, 200


def list_versions(token_info, limit=20):
    """GET /api/admin/installer/versions"""
    return {"success": True, "versions": installers.versions(base_url(), limit)}, 200


def start_upload(body, token_info):
    """POST /api/admin/installer/upload"""
    principal = Principal.from_token_info(token_info)
    access.require_admin(principal)
    return installers.start_upload(body, principal.user_id, base_url()), 200


def finalise_upload(body, token_info):
    """PUT /api/admin/installer/upload"""
    access.require_admin(Principal.from_token_info(token_info))
    return installers.finalise(body.get("uploadId"), body.get("checksum_sha256"), base_url()), 200


async def receive_upload(uploadId, token=None):
    """PUT /api/installer/upload/{uploadId}"""
    from starlette.concurrency import run_in_threadpool

    from agentdeck.storage.db import gives_back_connection

    data = await request.body()
    return await run_in_threadpool(gives_back_connection(installers.receive), uploadId, token, data), 200


def download_installer(installerId, expires=None, signature=None):
    """GET /api/installer/download/{installerId}"""
    data, row = installers.download(installerId, expires, signature)
    return ConnexionResponse(status_code=200, body=data, content_type="application/octet-stream",
                             headers={"Content-Disposition": f'attachment; filename="{row.file_name}"',
                                      "X-Checksum-SHA256": row.sha256 or ""})
