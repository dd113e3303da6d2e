"""Secrets at rest: sealed with AES-256-GCM under a key generated once with mode 0600."""
import stat

import pytest

from agentdeck import secretbox
from agentdeck.settings import get_settings


def test_seal_roundtrip_and_key_file_mode(settings):
    sealed = secretbox.seal("sk-live-123")
    assert "sk-live-123" not in sealed and secretbox.unseal(sealed) == "sk-live-123"
    key_file = get_settings().data_dir / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_tampering_is_detected(settings):
    sealed = secretbox.seal("value")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(Exception):
        secretbox.unseal(tampered)
    with pytest.raises(ValueError):
        secretbox.unseal("plaintext")


def test_processes_starting_at_once_share_one_whole_key(settings, tmp_path):
    """Workers started together each make the key file if it is missing: one key wins, whole,
    and every process reads that one (a worker once read another's half-written file)."""
    import multiprocessing

    data_dir = tmp_path / "shared-data"
    context = multiprocessing.get_context("spawn")
    with context.Pool(6) as pool:
        keys = pool.map(_key_of, [str(data_dir)] * 24)
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert sorted(p.name for p in data_dir.iterdir()) == ["secret.key"]  # no temporary file left
    assert (data_dir / "secret.key").stat().st_mode & 0o777 == 0o600


def _key_of(data_dir: str) -> bytes:
    import os

    os.environ["AGENTDECK_DATA_DIR"] = data_dir
    os.environ.pop("AGENTDECK_SECRET_KEY", None)
    from agentdeck import secretbox
    from agentdeck.settings import reset_settings

    reset_settings()
    secretbox._cached.clear()
    return secretbox._key()
