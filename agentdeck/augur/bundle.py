"""A run's files in the blob store, laid out as the SDK's bundle:
``augur/<tenant id>/<run id>/{screenshots/0003_post.png, modelio/0003-planner-0.json,
logs/step-3.log, logs/<name>.log}``.

Every name reaching the blob store is built here from values the spec has already checked,
and ``agentdeck.blobs`` refuses any key that is not a plain relative path.
"""
from __future__ import annotations

import json
import re

from agentdeck.blobs import get_blob_store
from agentdeck.errors import (Forbidden, NotFound, PayloadTooLarge, SchemaViolation,
                              UnsupportedMediaType)

from agentdeck.augur import connections
from agentdeck.augur.documents import encode_document, encode_text
from agentdeck.augur.principals import IngestClient
from agentdeck.augur.runs import ensure_run, parse_step_name, run_pk, step_name

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCREENSHOT_KINDS = ("pre", "post", "target", "diff")
MAX_SCREENSHOT_BYTES = 20 * 1024 * 1024
MAX_MODELIO_BYTES = 32 * 1024 * 1024
MAX_LOG_BYTES = 1024 * 1024
DEFAULT_LOG_NAME = "run"
# The spec's patterns, restated where a name is built so that no other shape can reach a key.
_MODELIO_NAME = re.compile(r"^(?:[0-9]{4,6}|run)-[A-Za-z0-9_-]{1,64}-[0-9]{1,6}\.json$")
_LOG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def run_prefix(tenant_id: str, run_id: str) -> str:
    """The blob-key folder of a run's bundle."""
    return f"augur/{tenant_id}/{run_id}"


def _key(tenant_id: str, run_id: str, relpath: str) -> str:
    return f"{run_prefix(tenant_id, run_id)}/{relpath}"


def _read(tenant_id: str, run_id: str, relpath: str) -> bytes:
    run_pk(tenant_id, run_id)
    data = get_blob_store().get(_key(tenant_id, run_id, relpath))
    if data is None:
        raise NotFound(f"{relpath} not found")
    return data


def uploaded_bytes(upload, form: dict | None = None) -> bytes:
    """The bytes of the multipart ``image`` part (a file, or a plain field sent by mistake)."""
    if upload is not None and hasattr(upload, "file"):
        upload.file.seek(0)
        return upload.file.read()
    value = (form or {}).get("image", upload)
    if isinstance(value, str):
        return encode_text(value)
    raise SchemaViolation("multipart field 'image' is required")


def save_screenshot(client: IngestClient, run_id: str, step_index: int, kind: str, data: bytes) -> dict:
    """Store a PNG observation; anything that is not a PNG by its signature is refused (415)."""
    if not data.startswith(PNG_SIGNATURE):
        raise UnsupportedMediaType("image must be a PNG (its first bytes are not the PNG signature)")
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise PayloadTooLarge(f"image is larger than {MAX_SCREENSHOT_BYTES} bytes")
    ensure_run(client, run_id)
    relpath = f"screenshots/{step_name(step_index)}_{kind}.png"
    get_blob_store().put(_key(client.tenant_id, run_id, relpath), data)
    connections.touch(client, run_id)
    return {"path": relpath, "bytes": len(data)}


def read_screenshot(tenant_id: str, run_id: str, step: str, kind: str) -> bytes:
    """``screenshots/<NNNN>_<kind>.png``."""
    return _read(tenant_id, run_id, f"screenshots/{step_name(parse_step_name(step))}_{kind}.png")


def save_modelio(client: IngestClient, run_id: str, relpath: str, record: dict) -> dict:
    """Store one model-call record; 403 when the tenant has not enabled model I/O capture."""
    if not client.modelio_capture:
        raise Forbidden("Model I/O capture is not enabled for this tenant")
    if not _MODELIO_NAME.match(relpath):
        raise NotFound(f"modelio/{relpath} is not a model I/O record name")
    data = encode_document(record)
    if len(data) > MAX_MODELIO_BYTES:
        raise PayloadTooLarge(f"record is larger than {MAX_MODELIO_BYTES} bytes")
    ensure_run(client, run_id)
    get_blob_store().put(_key(client.tenant_id, run_id, f"modelio/{relpath}"), data)
    connections.touch(client, run_id)
    return {"path": f"modelio/{relpath}", "bytes": len(data)}


def read_modelio(tenant_id: str, run_id: str, relpath: str) -> dict:
    """``modelio/<relpath>`` as the JSON record."""
    if not _MODELIO_NAME.match(relpath):
        raise NotFound(f"modelio/{relpath} not found")
    return json.loads(_read(tenant_id, run_id, f"modelio/{relpath}"))


def log_path(name: str | None, step_index: int | None) -> str:
    """Where a chunk goes: ``logs/step-<idx>.log`` when a step is named, else ``logs/<name>.log``."""
    if step_index is not None:
        return f"logs/step-{step_index}.log"
    name = name or DEFAULT_LOG_NAME
    if not _LOG_NAME.match(name):
        raise NotFound(f"invalid log name {name!r}")
    return f"logs/{name}.log"


def append_log(client: IngestClient, run_id: str, text: str, name: str | None = None,
               step_index: int | None = None) -> dict:
    """Append a chunk to a run log. A chunk that would take the file past 1 MiB is refused
    whole (413) and the file keeps what it had."""
    relpath = log_path(name, step_index)
    ensure_run(client, run_id)
    try:
        size = get_blob_store().append(_key(client.tenant_id, run_id, relpath), encode_text(text),
                                       max_size=MAX_LOG_BYTES)
    except PayloadTooLarge as exc:
        raise PayloadTooLarge(f"{relpath} is bounded at {MAX_LOG_BYTES} bytes: this chunk was "
                              "refused and the file is unchanged") from exc
    connections.touch(client, run_id)
    return {"path": relpath, "size": size}


def read_log(tenant_id: str, run_id: str, name: str) -> bytes:
    """``logs/<name>.log`` as bytes."""
    return _read(tenant_id, run_id, log_path(name, None))


def list_files(tenant_id: str, run_id: str) -> list[str]:
    """Bundle-relative paths of every file of a run, sorted."""
    prefix = run_prefix(tenant_id, run_id)
    return [key[len(prefix) + 1:] for key in get_blob_store().list(prefix)]


def read_file(tenant_id: str, run_id: str, relpath: str) -> bytes | None:
    """A bundle file's bytes by its relative path (from ``list_files``), or None."""
    return get_blob_store().get(_key(tenant_id, run_id, relpath))
