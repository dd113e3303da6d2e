"""Downloading a catalog model, as the events ``POST /api/models/download`` streams.

The file comes through the guarded outbound client (``agentdeck.outbound.stream``) into
``.partial/<id>.part``; an earlier attempt's partial file is resumed with ``Range`` (a server
that answers 200 instead of 206 sends it whole again). Only when the whole file's SHA-256
equals the catalog's is it renamed into place, so the model's path never holds a half or
unverified file. A failed transfer keeps the partial file for the next attempt
(``retryable: true``); a checksum mismatch removes it (the next attempt starts afresh). One
download per model at a time on a host: a second one is an ``error`` event at once.
"""
from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Iterator

import httpx

from agentdeck import outbound
from agentdeck.agtos.models import registry
from agentdeck.agtos.models.catalog import CatalogModel
from agentdeck.errors import InvalidInput

CHUNK = 256 * 1024
PROGRESS_EVERY_SECONDS = 0.25
READ_TIMEOUT = 30.0


def prepare(model_id) -> CatalogModel:
    """The model to download; InvalidInput (400) for an unknown one or one without a checksum."""
    model = registry.find(model_id, unknown_status=400)
    if model.sha256 is None:
        raise InvalidInput("Model has no pinned sha256 in the catalog", details=[{"modelId": model.id}])
    return model


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _error(model: CatalogModel, message: str, retryable: bool) -> dict:
    return {"type": "error", "modelId": model.id, "error": message, "retryable": retryable}


def _progress(model: CatalogModel, done: int, total: int) -> dict:
    percent = min(100, int(done * 100 / total)) if total else 0
    return {"type": "progress", "modelId": model.id, "downloaded": done, "total": total, "percent": percent}


def download(model: CatalogModel) -> Iterator[dict]:
    """Events of one download of ``model``: ``progress``…, then ``complete`` or ``error``."""
    started = time.monotonic()
    if registry.is_downloaded(model):
        yield {"type": "complete", "modelId": model.id, "durationMs": 0, "alreadyDownloaded": True}
        return
    part = registry.partial_path(model.id)
    part.parent.mkdir(parents=True, exist_ok=True)
    with open(registry.lock_path(model.id), "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield _error(model, "Download already in progress", True)
            return
        try:
            failure = yield from _transfer(model, part)
            if failure is not None:
                yield failure
                return
            actual = _sha256(part)
            if actual != model.sha256:
                part.unlink(missing_ok=True)
                yield _error(model, f"Checksum mismatch: expected sha256 {model.sha256}, got {actual}", True)
                return
            registry.place(part, model)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    yield {"type": "complete", "modelId": model.id, "durationMs": int((time.monotonic() - started) * 1000)}


def _transfer(model: CatalogModel, part) -> Iterator[dict]:
    """Fill ``part`` with the whole file, yielding progress; returns an error event or None."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    timeout = httpx.Timeout(READ_TIMEOUT, connect=10.0)
    try:
        with outbound.stream("GET", model.url, headers=headers, timeout=timeout) as resp:
            if resp.status_code == 416 and offset:
                return None  # the partial file is already whole: verify it
            if resp.status_code == 206 and offset and _range_start(resp) == offset:
                mode = "ab"
            elif resp.status_code == 200:
                offset, mode = 0, "wb"
            else:
                retryable = resp.status_code >= 500 or resp.status_code in (408, 429)
                return _error(model, f"Download failed: HTTP {resp.status_code}", retryable)
            length = resp.headers.get("content-length")
            total = offset + int(length) if length and length.isdigit() else model.size_bytes
            done, shown = offset, 0.0
            yield _progress(model, done, total)
            with open(part, mode) as fh:
                for chunk in resp.iter_bytes(CHUNK):
                    fh.write(chunk)
                    done += len(chunk)
                    if done > total and length:
                        return _error(model, "Download failed: the server sent more than it announced", True)
                    if time.monotonic() - shown >= PROGRESS_EVERY_SECONDS:
                        shown = time.monotonic()
                        yield _progress(model, done, total)
            if length and done < total:
                return _error(model, "Download failed: the connection closed early", True)
            yield _progress(model, done, max(total, done))
    except outbound.OutboundRefused as exc:
        return _error(model, f"Download refused: {exc}", False)
    except httpx.RemoteProtocolError:
        return _error(model, "Download failed: the connection closed early", True)
    except httpx.TimeoutException:
        return _error(model, "Network timeout", True)
    except httpx.HTTPError as exc:
        return _error(model, f"Network error: {exc}", True)
    except OSError as exc:
        return _error(model, f"Cannot write the model file: {exc.strerror}", False)
    return None


def _range_start(resp) -> int | None:
    value = resp.headers.get("content-range", "")  # "bytes 100-199/200"
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None
