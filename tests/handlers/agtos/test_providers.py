"""agtOS provider catalog and account through the HTTP surface."""
from agentdeck.router import credentials


def test_the_catalog_in_the_reference_shape(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    body = client.get("/agtos/api/providers/catalog").json()
    openai = next(p for p in body["providers"] if p["providerId"] == "openai")
    rich = next(m for m in openai["models"] if m["id"] == "vendor/rich-model")
    assert rich["name"] == "Rich Model"
    assert rich["contextLength"] == 200000 and rich["maxOutputTokens"] == 8192
    assert "tool-use" in rich["capabilities"] and "vision" in rich["capabilities"]
    assert rich["pricing"] == {"inputPer1M": 3.0, "outputPer1M": 15.0}
    assert isinstance(openai["latencyMs"], int)
    assert body["count"] == sum(len(p["models"]) for p in body["providers"])
    assert set(body["providerIds"]) >= {"claude", "openai", "ollama", "openrouter"}
    ollama = next(p for p in body["providers"] if p["providerId"] == "ollama")
    assert ollama["models"] == [] and ollama["error"]


def test_capabilities_are_and_filtered_and_refresh_fetches_again(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    body = client.get("/agtos/api/providers/catalog", params={"capability": "tool-use,vision"}).json()
    openai = next(p for p in body["providers"] if p["providerId"] == "openai")
    assert [m["id"] for m in openai["models"]] == ["vendor/rich-model"]
    lists = sum(1 for r in use_fake_openai.requests if r.path == "/v1/models")
    client.get("/agtos/api/providers/catalog")
    assert sum(1 for r in use_fake_openai.requests if r.path == "/v1/models") == lists, "cached"
    client.get("/agtos/api/providers/catalog", params={"refresh": "1"})
    assert sum(1 for r in use_fake_openai.requests if r.path == "/v1/models") == lists + 1


def test_catalog_fetches_show_in_prometheus(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    client.get("/agtos/api/providers/catalog", params={"refresh": "1"})
    text = client.get("/agtos/metrics").text
    assert 'agtos_provider_catalog_fetch_total{provider="openai",status="success"}' in text
    assert 'agtos_provider_catalog_models_count{provider="openai"} 2.0' in text


def test_openrouter_account_reports_its_credits(client, use_fake_openai):
    credentials.set_key("openrouter", "sk-or-test")
    use_fake_openai.credits = {"total_credits": 50.0, "total_usage": 7.5}
    response = client.get("/agtos/api/providers/openrouter/account")
    assert response.status_code == 200
    body = response.json()
    assert body["creditBalance"] == 42.5 and body["creditCurrency"] == "USD"


def test_account_is_404_without_a_key_or_support(client, use_fake_openai):
    for provider in ("openrouter", "ollama", "nonexistent"):
        response = client.get(f"/agtos/api/providers/{provider}/account")
        assert response.status_code == 404, provider
        assert response.json() == {"error": "Provider not configured or does not support account info"}


def test_a_provider_id_outside_the_pattern_is_400(client):
    assert client.get("/agtos/api/providers/a.b/account").status_code == 400


def test_each_needs_the_key_when_one_is_set(api_key, client):
    assert client.get("/agtos/api/providers/catalog").status_code == 401
    assert client.get("/agtos/api/providers/catalog", headers=api_key).status_code == 200
    assert client.get("/agtos/api/providers/openrouter/account").status_code == 401
    assert client.get("/agtos/api/providers/openrouter/account", headers=api_key).status_code == 404
