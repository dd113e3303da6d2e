"""Blob storage for files clients upload or append to (screenshots, logs, model I/O, installers).

Keys are ``/``-separated segments of letters, digits, ``.``, ``_`` and ``-``; ``.``/``..``
segments, empty segments and absolute keys are refused, so a path from a client never reaches
the file system unchecked. The filesystem store lives under ``<data dir>/blobs``.
"""
from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path

from agentdeck.errors import InvalidInput, PayloadTooLarge
from agentdeck.settings import get_settings

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class BlobKeyError(InvalidInput):
    """A key that is not a safe relative path."""


def check_key(key: str) -> str:
    """Return ``key`` when every segment is safe; raise ``BlobKeyError`` otherwise."""
    segments = key.split("/")
    if not key or any(not _SEGMENT.match(s) or s in {".", ".."} for s in segments):
        raise BlobKeyError(f"invalid file name: {key!r}")
    return key


class FilesystemBlobStore:
    """Blobs as files under one root folder."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise BlobKeyError(f"invalid file name: {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        """Write (or replace) a blob atomically."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def append(self, key: str, data: bytes, max_size: int | None = None) -> int:
        """Append to a blob under an exclusive lock; returns the new size.

        Raises ``PayloadTooLarge`` (and writes nothing) when the result would exceed ``max_size``.
        """
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                size = fh.seek(0, os.SEEK_END)
                if max_size is not None and size + len(data) > max_size:
                    raise PayloadTooLarge(
                        f"{key} would grow past its {max_size}-byte bound ({size} bytes stored)")
                fh.write(data)
                fh.flush()
                return size + len(data)
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def get(self, key: str) -> bytes | None:
        """The blob's bytes, or None when it does not exist."""
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def exists(self, key: str) -> bool:
        """True when the blob exists."""
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        """The blob's size in bytes, or None when it does not exist."""
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def list(self, prefix: str) -> list[str]:
        """Keys under ``prefix`` (a folder-like key), sorted."""
        base = self._path(prefix)
        if not base.is_dir():
            return []
        return sorted(str(p.relative_to(self.root)) for p in base.rglob("*")
                      if p.is_file() and not p.name.startswith("."))


def get_blob_store() -> FilesystemBlobStore:
    """The configured blob store (filesystem under the data directory)."""
    return FilesystemBlobStore(Path(get_settings().data_dir) / "blobs")
