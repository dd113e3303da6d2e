"""agtOS slots through the HTTP surface: read, replace with catalog checks, presets, reset."""
from agentdeck.router import credentials


def test_a_fresh_install_routes_every_built_in_slot_to_echo(client):
    body = client.get("/agtos/api/slots").json()
    assert body["builtInSlotNames"] == ["chat", "reasoning", "coding", "tool_calling", "creative", "maintenance"]
    assert body["slots"]["chat"]["provider"] == "echo"
    assert body["activeSlotNames"] == body["builtInSlotNames"]
    assert set(body["stats"]) >= {"requests", "errors", "fallbackCount"}


def test_put_writes_and_warns_about_an_unlisted_model(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    response = client.put("/agtos/api/slots", json={
        "chat": {"provider": "openai", "model": "gpt-fake", "temperature": 0.5},
        "maintenance": {"provider": "openai", "model": "my-private-model", "fallback": "chat"}})
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Slot configuration updated"
    assert body["restartRequired"] is False
    assert body["warnings"] == [{"slot": "maintenance", "model": "my-private-model",
                                 "reason": "not found in catalog (private / unlisted / pinned model)"}]
    assert client.get("/agtos/api/slots").json()["slots"]["chat"] == {
        "provider": "openai", "model": "gpt-fake", "temperature": 0.5}


def test_no_warnings_key_when_there_are_none(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    body = client.put("/agtos/api/slots", json={"chat": {"provider": "openai", "model": "gpt-fake"}}).json()
    assert "warnings" not in body


def test_a_retired_model_is_the_documented_400_and_nothing_is_written(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    use_fake_openai.models.append({"id": "gpt-3.5-turbo-0301", "expiration_date": "2024-06-13"})
    response = client.put("/agtos/api/slots", json={"chat": {"provider": "openai", "model": "gpt-3.5-turbo-0301"}})
    assert response.status_code == 400
    assert response.json() == {"error": "Deprecated model(s)", "message": "Cannot use retired models",
                               "deprecated": [{"slot": "chat", "model": "gpt-3.5-turbo-0301",
                                               "deprecatedAt": "2024-06-13T00:00:00Z"}]}
    assert client.get("/agtos/api/slots").json()["slots"]["chat"]["model"] != "gpt-3.5-turbo-0301"


def test_the_chat_slot_is_required(client):
    response = client.put("/agtos/api/slots", json={"reasoning": {"provider": "echo", "model": "echo-1"}})
    assert response.status_code == 400
    assert "chat" in response.json()["error"]


def test_an_unknown_provider_is_400(client):
    response = client.put("/agtos/api/slots", json={"chat": {"provider": "nosuch", "model": "m"}})
    assert response.status_code == 400
    assert "provider must be one of" in response.json()["error"]


def test_auto_configure_hybrid(client):
    response = client.post("/agtos/api/slots/auto-configure", json={
        "mode": "hybrid", "cloudProvider": "claude", "ollamaModel": "qwen3:7b", "fallbackStrategy": "none"})
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "hybrid"
    assert body["message"] == "Auto-configured 6 slots in hybrid mode."
    assert body["slots"]["maintenance"]["provider"] == "ollama"
    assert body["slots"]["maintenance"]["model"] == "qwen3:7b"
    assert body["slots"]["chat"]["provider"] == "claude"
    assert client.get("/agtos/api/billing").json()["strategy"] == "none"


def test_auto_configure_refuses_an_unknown_mode(client):
    response = client.post("/agtos/api/slots/auto-configure", json={"mode": "orbital"})
    assert response.status_code == 400
    assert "error" in response.json()


def test_reset_restores_the_defaults(client):
    client.post("/agtos/api/slots/auto-configure", json={"mode": "cloud", "cloudProvider": "openai"})
    response = client.post("/agtos/api/slots/reset")
    assert response.status_code == 200
    assert response.json()["slots"]["chat"]["provider"] == "echo"
    assert client.get("/agtos/api/slots").json()["slots"]["chat"]["provider"] == "echo"


def test_each_needs_the_key_when_one_is_set(api_key, client):
    calls = [("get", "/agtos/api/slots", None),
             ("put", "/agtos/api/slots", {"chat": {"provider": "echo", "model": "echo-1"}}),
             ("post", "/agtos/api/slots/auto-configure", {"mode": "local"}),
             ("post", "/agtos/api/slots/reset", None)]
    for method, path, body in calls:
        assert client.request(method, path, json=body).status_code == 401, path
        assert client.request(method, path, json=body, headers=api_key).status_code == 200, path
