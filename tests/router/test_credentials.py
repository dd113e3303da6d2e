"""Provider keys: sealed at rest, never returned, in force at once for every worker."""
from __future__ import annotations

import base64
import logging

import pytest

from agentdeck.errors import InvalidInput
from agentdeck.router import Router, credentials
from agentdeck.settings import reset_settings
from agentdeck.storage.db import database

KEY = "sk-test-0123456789abcdef"


def test_a_key_is_stored_sealed(db):
    credentials.set_key("openai", KEY)
    raw = database.execute_sql("SELECT provider, sealed_key FROM router_provider_credential").fetchall()
    assert len(raw) == 1 and raw[0][0] == "openai"
    assert KEY not in raw[0][1] and raw[0][1].startswith("v1:")
    assert credentials.get_key("openai") == KEY


def test_keys_are_listed_replaced_and_deleted(db):
    credentials.set_key("provider-anthropic", "sk-ant-one")
    credentials.set_key("claude", "sk-ant-two")
    credentials.set_key("openai", KEY)
    assert credentials.configured_providers() == ["claude", "openai"]
    assert credentials.get_key("claude") == "sk-ant-two"
    assert credentials.has_key("provider-anthropic")
    assert credentials.delete_key("claude") is True
    assert credentials.delete_key("claude") is False
    assert not credentials.has_key("claude")
    credentials.set_key("openrouter", "sk-or-v1-x")
    assert credentials.delete_all() == 2
    assert credentials.configured_providers() == []


@pytest.mark.parametrize("key", ["", "   ", "x" * 257, "two\nlines", "sk-caf\u00e9", "sk-\x7f"])
def test_a_malformed_key_is_refused(db, key):
    with pytest.raises(InvalidInput):
        credentials.set_key("openai", key)


def test_a_key_for_an_unknown_provider_is_refused(db):
    with pytest.raises(InvalidInput, match="unknown provider"):
        credentials.set_key("provider-nowhere", KEY)
    assert credentials.configured_providers() == []


async def test_a_stored_key_is_used_at_once_by_every_worker(router, use_fake_openai, caplog):
    use_fake_openai.api_key = KEY
    await router.put_slots({"chat": {"provider": "openai", "model": "gpt-fake"}})
    other_worker = Router()
    try:
        with caplog.at_level(logging.DEBUG):
            credentials.set_key("openai", "sk-wrong")
            with pytest.raises(Exception):
                await other_worker.complete("chat", [{"role": "user", "content": "hi"}])
            credentials.set_key("openai", KEY)
            routed = await other_worker.complete("chat", [{"role": "user", "content": "hi"}])
    finally:
        await other_worker.pool.aclose()
    assert routed.provider == "openai"
    assert KEY not in caplog.text


async def test_a_key_is_validated_by_a_real_call_without_being_stored(router, use_fake_openai):
    use_fake_openai.api_key = KEY
    assert await router.validate_key("provider-openai", KEY) == (True, "API key is valid")
    valid, reason = await router.validate_key("openai", "sk-wrong")
    assert valid is False and reason.startswith("Invalid API key: 401")
    assert "sk-wrong" not in reason
    assert credentials.configured_providers() == []
    assert (await router.validate_key("nowhere", KEY))[0] is False


async def test_a_key_sealed_under_another_server_key_counts_as_absent(router, monkeypatch, caplog):
    credentials.set_key("openai", KEY)
    monkeypatch.setenv("AGENTDECK_SECRET_KEY", base64.b64encode(b"k" * 32).decode())
    reset_settings()
    assert credentials.get_key("openai") is None and credentials.all_keys() == {}
    assert "cannot be decrypted" in caplog.text and KEY not in caplog.text
    routed = await router.complete("chat", [{"role": "user", "content": "hi"}])
    assert routed.provider == "echo", "calls still answer"
