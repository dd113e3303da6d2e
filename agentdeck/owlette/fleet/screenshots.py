"""Screenshots from agents: base64 JPEG, verified as JPEG, at most 10 MB; the latest 20 of each
machine are kept (in 20 rotating slots of the blob store) and readable by the site's users."""
from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

import peewee

from agentdeck.blobs import get_blob_store
from agentdeck.errors import InvalidInput, NotFound, PayloadTooLarge
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette_fleet import Screenshot
from agentdeck.timeutil import to_iso

MAX_BYTES = 10 * 1024 * 1024
KEEP = 20


def _folder(site_id: str, machine_id: str) -> str:
    return "owlette/screenshots/" + hashlib.sha256(f"{site_id}\0{machine_id}".encode()).hexdigest()[:32]


def decode_jpeg(text) -> bytes:
    """The JPEG bytes of a base64 string (a ``data:image/jpeg;base64,`` prefix allowed)."""
    if not isinstance(text, str) or not text:
        raise InvalidInput("screenshot must be a base64-encoded JPEG")
    if text.startswith("data:"):
        head, _, text = text.partition(",")
        if not head.startswith("data:image/jpeg"):
            raise InvalidInput("screenshot must be a JPEG image")
    if len(text) > MAX_BYTES * 4 // 3 + 4:
        raise PayloadTooLarge("Screenshot larger than 10 MB")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("screenshot is not valid base64") from None
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge("Screenshot larger than 10 MB")
    if len(data) < 4 or not data.startswith(b"\xff\xd8\xff"):
        raise InvalidInput("screenshot is not a JPEG image")
    return data


def url_for(row: Screenshot) -> str:
    """The dashboard path of a screenshot's image."""
    return f"/api/admin/screenshots/{row.id}/image?siteId={row.site_id}"


def store(site_id: str, machine_id: str, text) -> dict:
    """Keep a screenshot; ``{success, sizeKB, url, id}``."""
    data = decode_jpeg(text)
    shot_id = "shot_" + secrets.token_hex(8)
    with writing():
        last = (Screenshot.select(peewee.fn.MAX(Screenshot.seq))
                .where((Screenshot.site == site_id) & (Screenshot.machine_id == machine_id)).scalar()) or 0
        seq = last + 1
        key = f"{_folder(site_id, machine_id)}/{seq % KEEP}.jpg"
        get_blob_store().put(key, data)
        row = Screenshot.create(id=shot_id, site=site_id, machine_id=machine_id, seq=seq, blob_key=key, size=len(data))
        (Screenshot.delete().where((Screenshot.site == site_id) & (Screenshot.machine_id == machine_id)
                                   & (Screenshot.seq <= seq - KEEP)).execute())
    return {"success": True, "id": shot_id, "sizeKB": round(len(data) / 1024, 1), "url": url_for(row)}


def _doc(row: Screenshot) -> dict:
    return {"id": row.id, "machineId": row.machine_id, "sizeKB": round(row.size / 1024, 1),
            "createdAt": to_iso(row.created_at), "url": url_for(row)}


def list_for(site_id: str, machine_id: str) -> dict:
    """The machine's kept screenshots, newest first, and the latest."""
    rows = [_doc(r) for r in Screenshot.select().where((Screenshot.site == site_id) & (Screenshot.machine_id == machine_id))
            .order_by(Screenshot.seq.desc()).limit(KEEP)]
    return {"success": True, "latest": rows[0] if rows else None, "screenshots": rows}


def image(site_id: str, shot_id: str) -> bytes:
    """A kept screenshot's JPEG bytes."""
    row = Screenshot.get_or_none((Screenshot.id == shot_id) & (Screenshot.site == site_id))
    data = get_blob_store().get(row.blob_key) if row else None
    if data is None:
        raise NotFound("Screenshot not found")
    return data
