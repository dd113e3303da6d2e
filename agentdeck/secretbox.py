"""Secrets at rest: AES-256-GCM under the server key.

The key comes from ``AGENTDECK_SECRET_KEY`` (base64 of 32 bytes) or is generated once into
``<data dir>/secret.key`` with mode 0600. Ciphertexts are ``v1:`` + base64(nonce || sealed).
"""
from __future__ import annotations

import base64
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from agentdeck.settings import get_settings

_PREFIX = "v1:"
_lock = threading.Lock()
_cached: dict[str, bytes] = {}


def _load_key() -> bytes:
    settings = get_settings()
    if settings.secret_key:
        key = base64.b64decode(settings.secret_key)
        if len(key) != 32:
            raise ValueError("AGENTDECK_SECRET_KEY must be base64 of exactly 32 bytes")
        return key
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        _create_key_file(path)
    key = base64.b64decode(path.read_bytes())
    if len(key) != 32:
        raise ValueError(f"{path} does not hold base64 of 32 bytes")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key to ``path`` whole or not at all: written to a private temporary file, then
    linked into place, which fails when another process (a second worker starting at the same
    moment) got there first; then its key is the one used. A reader never sees a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(base64.b64encode(AESGCM.generate_key(bit_length=256)))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)


def _key() -> bytes:
    settings = get_settings()
    cache_key = f"{settings.secret_key}|{settings.data_dir}"
    with _lock:
        if cache_key not in _cached:
            _cached.clear()
            _cached[cache_key] = _load_key()
        return _cached[cache_key]


def seal(plaintext: str) -> str:
    """Encrypt ``plaintext`` for storage."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, plaintext.encode(), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode()


def unseal(stored: str) -> str:
    """Decrypt a value made by ``seal``; raises ``ValueError`` for anything else."""
    if not stored.startswith(_PREFIX):
        raise ValueError("not a sealed secret")
    raw = base64.b64decode(stored[len(_PREFIX):])
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], None).decode()
