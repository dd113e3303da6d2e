"""The aggregated catalog: shared one-hour cache, refresh, capability AND-filter, latency, account."""
from __future__ import annotations

from datetime import timedelta

from agentdeck.metrics import exposition
from agentdeck.router import Router, credentials
from agentdeck.storage.models.router import ProviderCatalog
from agentdeck.timeutil import utcnow
from tests.router.conftest import closed_port_url


def model_lists(fake) -> int:
    return sum(1 for r in fake.requests if r.path == "/v1/models")


async def test_the_catalog_covers_keyed_providers_and_ollama(router, use_fake_openai, use_fake_ollama):
    credentials.set_key("openai", "sk-test")
    entries = {e.provider: e for e in await router.catalog_providers()}
    assert set(entries) >= {"openai", "ollama"}
    assert [m.id for m in entries["openai"].models] == ["gpt-fake", "vendor/rich-model"]
    assert entries["openai"].latency_ms is not None and entries["openai"].error is None
    models = await router.catalog()
    assert {(m.provider, m.id) for m in models} >= {("openai", "gpt-fake"), ("ollama", "qwen-fake:8b")}


async def test_one_fetch_an_hour_is_shared_by_every_worker(router, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    await router.catalog()
    other_worker = Router()
    try:
        await other_worker.catalog()
        assert model_lists(use_fake_openai) == 1
        await other_worker.catalog(refresh=True)
        assert model_lists(use_fake_openai) == 2
        ProviderCatalog.update(fetched_at=utcnow() - timedelta(hours=1, seconds=1)).execute()
        await router.catalog()
        assert model_lists(use_fake_openai) == 3
    finally:
        await other_worker.pool.aclose()


async def test_a_new_key_makes_the_cached_list_stale(router, use_fake_openai):
    credentials.set_key("openai", "sk-one")
    await router.catalog()
    credentials.set_key("openai", "sk-two")
    await router.catalog()
    assert model_lists(use_fake_openai) == 2
    assert use_fake_openai.last_request.headers["authorization"] == "Bearer sk-two"


async def test_capabilities_are_and_filtered(router, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    assert {m.id for m in await router.catalog(capabilities=("tool-use",))} == {"vendor/rich-model"}
    assert {m.id for m in await router.catalog(capabilities=("tool-use", "vision"))} == {
        "vendor/rich-model"}
    assert await router.catalog(capabilities=("vision", "embedding")) == []


async def test_a_failed_fetch_is_reported_and_counted(router, monkeypatch):
    credentials.set_key("openai", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", closed_port_url() + "/v1")
    entries = {e.provider: e for e in await router.catalog_providers()}
    assert entries["openai"].models == [] and entries["openai"].error
    text = exposition()[0].decode()
    assert 'agtos_provider_catalog_fetch_total{provider="openai",status="error"}' in text


async def test_catalog_metrics_use_the_reference_names(router, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    await router.catalog(refresh=True)
    text = exposition()[0].decode()
    assert 'agtos_provider_catalog_fetch_total{provider="openai",status="success"}' in text
    assert 'agtos_provider_catalog_models_count{provider="openai"} 2.0' in text


async def test_openrouter_account_reports_credits(router, use_fake_openai):
    credentials.set_key("openrouter", "sk-or-v1-test")
    use_fake_openai.credits = {"total_credits": 50.0, "total_usage": 7.5}
    account = await router.account("openrouter")
    assert account.balance == 42.5 and account.currency == "USD"


async def test_account_is_none_without_a_key_or_support(router, use_fake_openai):
    assert await router.account("openrouter") is None
    credentials.set_key("openai", "sk-test")
    assert await router.account("openai") is None
    assert await router.account("nonexistent") is None
