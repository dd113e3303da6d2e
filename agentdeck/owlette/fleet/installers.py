"""Agent installers in the blob store: an upload is announced (a signed, expiring, single-use
upload URL served by agentdeck), the file PUT to that URL, then finalised with its checksum.
Ready versions are listed with signed download URLs and their SHA-256.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from datetime import timedelta

from agentdeck import secretbox
from agentdeck.blobs import get_blob_store
from agentdeck.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteSigningKey
from agentdeck.storage.models.owlette_fleet import Installer
from agentdeck.timeutil import to_iso, utcnow

UPLOAD_TTL = timedelta(minutes=15)
DOWNLOAD_TTL = 24 * 3600
MAX_INSTALLER_BYTES = 512 * 1024 * 1024
_VERSION = re.compile(r"^\d{1,4}\.\d{1,4}\.\d{1,4}$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$")
_key_cache: dict[str, bytes] = {}
_lock = threading.Lock()


class Gone(DomainError):
    """The upload URL has expired (410)."""

    status = 410


def _signing_key() -> bytes:
    with _lock:
        if "installer" not in _key_cache:
            with writing():
                (OwletteSigningKey.insert(name="installer", sealed_key=secretbox.seal(secrets.token_hex(32)))
                 .on_conflict_ignore().execute())
            _key_cache["installer"] = bytes.fromhex(secretbox.unseal(OwletteSigningKey.get_by_id("installer").sealed_key))
        return _key_cache["installer"]


def _sign(installer_id: str, expires: int) -> str:
    return hmac.new(_signing_key(), f"download:{installer_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def download_path(installer_id: str) -> str:
    """The signed download path (under the surface's mount), valid for 24 hours."""
    expires = int(time.time()) + DOWNLOAD_TTL
    return f"/api/installer/download/{installer_id}?expires={expires}&signature={_sign(installer_id, expires)}"


def _doc(row: Installer, base: str) -> dict:
    url = base + download_path(row.id)
    return {"id": row.id, "version": row.version, "fileName": row.file_name, "releaseNotes": row.release_notes,
            "isLatest": row.is_latest, "uploadedAt": to_iso(row.uploaded_at), "downloadUrl": url,
            "download_url": url, "checksum_sha256": row.sha256, "file_size": row.file_size,
            "release_notes": row.release_notes, "uploaded_at": to_iso(row.uploaded_at)}


def start_upload(body: dict, user_id: str, base: str) -> dict:
    """Announce an upload; the signed PUT URL (15 minutes, single use)."""
    version, file_name = body.get("version"), body.get("fileName")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise InvalidInput("version must look like X.Y.Z")
    if not isinstance(file_name, str) or not _FILE.match(file_name) or ".." in file_name:
        raise InvalidInput("fileName must be a plain file name")
    upload_id = "upl_" + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    expires = utcnow() + UPLOAD_TTL
    with writing():
        Installer.create(id=upload_id, version=version, file_name=file_name,
                         release_notes=body.get("releaseNotes"), set_as_latest=body.get("setAsLatest", True) is not False,
                         blob_key=f"owlette/installers/{upload_id}/{file_name.replace(' ', '_')}",
                         upload_token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                         upload_expires_at=expires, uploaded_by=user_id)
    url = f"{base}/api/installer/upload/{upload_id}?token={secret}"
    return {"success": True, "uploadId": upload_id, "uploadUrl": url, "signedUrl": url, "expiresAt": to_iso(expires)}


def _pending(upload_id: str) -> Installer:
    row = Installer.get_or_none(Installer.id == upload_id)
    if row is None:
        raise NotFound("Upload not found")
    return row


def receive(upload_id: str, token: str | None, data: bytes) -> dict:
    """The PUT to a signed upload URL: store the file (once)."""
    row = _pending(upload_id)
    if not token or not row.upload_token_hash or not hmac.compare_digest(
            row.upload_token_hash, hashlib.sha256(token.encode()).hexdigest()):
        if row.status != "pending":
            raise Conflict("This upload URL has been used")
        raise Forbidden("Invalid upload signature")
    if utcnow() > row.upload_expires_at:
        raise Gone("Upload URL expired")
    if len(data) > MAX_INSTALLER_BYTES:
        raise PayloadTooLarge(f"Installer larger than {MAX_INSTALLER_BYTES} bytes")
    if not data:
        raise InvalidInput("Empty upload")
    with writing():
        claimed = (Installer.update(status="uploaded", upload_token_hash=None)
                   .where((Installer.id == upload_id) & (Installer.status == "pending")).execute())
        if not claimed:
            raise Conflict("This upload URL has been used")
    get_blob_store().put(row.blob_key, data)
    digest = hashlib.sha256(data).hexdigest()
    with writing():
        Installer.update(sha256=digest, file_size=len(data)).where(Installer.id == upload_id).execute()
    return {"success": True, "size": len(data), "checksum_sha256": digest}


def finalise(upload_id, checksum, base: str) -> dict:
    """Finalise an uploaded installer: ``NotFound``, ``Gone`` (expired before the file came),
    ``Conflict`` (finalised already, nothing uploaded yet, or the checksum does not match)."""
    if not isinstance(upload_id, str):
        raise InvalidInput("uploadId is required")
    with writing():
        row = _pending(upload_id)
        if row.status == "ready":
            raise Conflict("Upload already finalised")
        if row.status == "pending":
            if utcnow() > row.upload_expires_at:
                raise Gone("Upload expired")
            raise Conflict("Nothing has been uploaded yet")
        if checksum is not None and (not isinstance(checksum, str) or checksum.lower() != row.sha256):
            raise Conflict("Checksum does not match the uploaded file")
        now = utcnow()
        if row.set_as_latest:
            Installer.update(is_latest=False).where(Installer.is_latest == True).execute()  # noqa: E712
        row.status, row.uploaded_at, row.is_latest = "ready", now, row.set_as_latest or not (
            Installer.select().where(Installer.is_latest == True).exists())  # noqa: E712
        row.save()
    return {"success": True, "installer": _doc(row, base)}


def latest(base: str) -> dict | None:
    """The latest ready installer, or None."""
    row = (Installer.select().where((Installer.status == "ready") & (Installer.is_latest == True))  # noqa: E712
           .order_by(Installer.uploaded_at.desc()).first())
    return _doc(row, base) if row else None


def versions(base: str, limit: int = 20) -> list[dict]:
    """Ready installers, newest first."""
    rows = Installer.select().where(Installer.status == "ready").order_by(Installer.uploaded_at.desc()).limit(limit)
    return [_doc(r, base) for r in rows]


def download(installer_id: str, expires, signature) -> tuple[bytes, Installer]:
    """The installer's bytes for a valid signed download URL."""
    try:
        expires_at = int(expires)
    except (TypeError, ValueError):
        raise Forbidden("Invalid download signature") from None
    # compare_digest refuses str with non-ASCII characters (TypeError): such a signature is
    # simply not ours.
    if (not isinstance(signature, str) or not signature.isascii()
            or not hmac.compare_digest(_sign(installer_id, expires_at), signature)):
        raise Forbidden("Invalid download signature")
    if expires_at < time.time():
        raise Gone("Download URL expired")
    row = Installer.get_or_none((Installer.id == installer_id) & (Installer.status == "ready"))
    data = get_blob_store().get(row.blob_key) if row else None
    if data is None:
        raise NotFound("Installer not found")
    return data, row
