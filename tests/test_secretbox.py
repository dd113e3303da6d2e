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
