"""agtOS credentials: stored from loopback with the setup token or the API key, validated with a
real call, deleted one by one or all at once; keys take effect without a restart."""
from agentdeck.agtos.platform.setup_token import current_token
from agentdeck.router import credentials
from agentdeck.storage.models.router import ProviderCredential

KEY = {"provider": "provider-openai", "apiKey": "sk-test-123"}


def setup_headers():
    return {"X-Setup-Token": current_token()}


def test_storing_with_the_setup_token(local):
    response = local.post("/agtos/api/credentials", json=KEY, headers=setup_headers())
    assert response.status_code == 200
    assert response.json() == {"success": True, "provider": "provider-openai"}
    assert credentials.get_key("openai") == "sk-test-123"
    stored = ProviderCredential.get().sealed_key
    assert "sk-test-123" not in stored, "sealed at rest"


def test_a_stored_key_is_used_at_once(local, use_fake_openai):
    use_fake_openai.api_key = "sk-test-123"
    local.post("/agtos/api/credentials", json=KEY, headers=setup_headers())
    body = local.get("/agtos/api/providers/catalog").json()
    openai = next(p for p in body["providers"] if p["providerId"] == "openai")
    assert openai["models"], "listed with the new key, no restart"


def test_storing_needs_the_setup_token(local):
    assert local.post("/agtos/api/credentials", json=KEY).status_code == 401
    wrong = local.post("/agtos/api/credentials", json=KEY, headers={"X-Setup-Token": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "Unauthorized"
    assert not credentials.has_key("openai")


def test_storing_from_a_remote_address_is_refused(remote):
    response = remote.post("/agtos/api/credentials", json=KEY, headers=setup_headers())
    assert response.status_code == 403
    assert response.json() == {"error": "Credential storage only available from localhost"}
    assert not credentials.has_key("openai")


def test_with_an_api_key_set_storing_takes_the_bearer(api_key, local, remote):
    assert local.post("/agtos/api/credentials", json=KEY).status_code == 401
    assert local.post("/agtos/api/credentials", json=KEY, headers={"X-Setup-Token": "x"}).status_code == 401
    assert remote.post("/agtos/api/credentials", json=KEY, headers=api_key).status_code == 403
    assert local.post("/agtos/api/credentials", json=KEY, headers=api_key).status_code == 200


def test_an_unknown_scope_or_a_missing_key_is_400(local):
    bad = local.post("/agtos/api/credentials", json={"provider": "provider-x", "apiKey": "k"},
                     headers=setup_headers())
    assert bad.status_code == 400 and "error" in bad.json()
    missing = local.post("/agtos/api/credentials", json={"provider": "provider-openai"}, headers=setup_headers())
    assert missing.status_code == 400
    too_long = local.post("/agtos/api/credentials", json={"provider": "provider-openai", "apiKey": "k" * 257},
                          headers=setup_headers())
    assert too_long.status_code == 400


def test_validate_a_good_and_a_bad_key(client, use_fake_openai):
    use_fake_openai.api_key = "sk-good"
    good = client.post("/agtos/api/credentials/validate", json={"provider": "provider-openai", "apiKey": "sk-good"})
    assert good.status_code == 200
    assert good.json()["valid"] is True and good.json()["provider"] == "provider-openai"
    bad = client.post("/agtos/api/credentials/validate", json={"provider": "provider-openai", "apiKey": "sk-bad"})
    assert bad.status_code == 200
    assert bad.json()["valid"] is False
    assert bad.json()["reason"].startswith("Invalid API key: 401")
    assert not credentials.has_key("openai"), "validation stores nothing"


def test_validate_ollama_needs_no_key(client, use_fake_ollama):
    response = client.post("/agtos/api/credentials/validate", json={"provider": "provider-ollama"})
    assert response.json()["valid"] is True


def test_validate_an_unreachable_ollama(client):
    body = client.post("/agtos/api/credentials/validate", json={"provider": "provider-ollama"}).json()
    assert body["valid"] is False and body["reason"].startswith("Provider not reachable")


def test_validate_a_cloud_provider_without_a_key_is_400(client):
    response = client.post("/agtos/api/credentials/validate", json={"provider": "provider-anthropic"})
    assert response.status_code == 400
    assert response.json() == {"error": "Missing or invalid fields: provider, apiKey"}


def test_validate_needs_no_api_key(api_key, client, use_fake_openai):
    response = client.post("/agtos/api/credentials/validate", json={"provider": "provider-openai", "apiKey": "k"})
    assert response.status_code == 200


def test_delete_one(local):
    credentials.set_key("openai", "sk-1")
    response = local.delete("/agtos/api/credentials/provider-openai", headers=setup_headers())
    assert response.status_code == 200
    assert response.json() == {"success": True, "provider": "provider-openai"}
    assert not credentials.has_key("openai")
    again = local.delete("/agtos/api/credentials/provider-openai", headers=setup_headers())
    assert again.status_code == 404
    assert again.json() == {"error": "No credentials stored for this provider"}


def test_delete_one_needs_the_provider_prefix(local):
    assert local.delete("/agtos/api/credentials/openai", headers=setup_headers()).status_code == 400


def test_delete_all(local):
    credentials.set_key("openai", "sk-1")
    credentials.set_key("claude", "sk-2")
    response = local.delete("/agtos/api/credentials", headers=setup_headers())
    assert response.json() == {"success": True, "cleared": 2}
    assert credentials.configured_providers() == []


def test_deleting_is_refused_remotely_and_without_a_credential(local, remote):
    credentials.set_key("openai", "sk-1")
    assert remote.delete("/agtos/api/credentials/provider-openai", headers=setup_headers()).status_code == 403
    assert remote.delete("/agtos/api/credentials", headers=setup_headers()).status_code == 403
    assert local.delete("/agtos/api/credentials/provider-openai").status_code == 401
    assert local.delete("/agtos/api/credentials").status_code == 401
    assert credentials.has_key("openai")


def test_deleting_with_an_api_key_set_takes_the_bearer(api_key, local):
    credentials.set_key("openai", "sk-1")
    assert local.delete("/agtos/api/credentials").status_code == 401
    assert local.delete("/agtos/api/credentials", headers=api_key).json() == {"success": True, "cleared": 1}
