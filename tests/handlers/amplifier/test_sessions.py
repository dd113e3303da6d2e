"""Sessions: created from a config's provider, listed with message counts, resumed, deleted."""
from tests.handlers.amplifier.conftest import create_config, create_session, openai_yaml


def test_create_from_a_config_without_providers_answers_through_echo(amp):
    config_id = create_config(amp)
    response = amp.post("/sessions", json={"config_id": config_id})
    assert response.status_code == 201
    body = response.json()
    assert body == {"session_id": body["session_id"], "config_id": config_id, "status": "active",
                    "message": "Session created successfully"}
    answer = amp.post(f"/sessions/{body['session_id']}/messages", json={"message": "Hello!"})
    assert answer.status_code == 200
    assert answer.json()["response"] == "Echo: Hello!"
    assert answer.json()["metadata"]["config_id"] == config_id


def test_unknown_config_is_404(amp):
    response = amp.post("/sessions", json={"config_id": "c7a3f9e2-0000-0000-0000-000000000000"})
    assert response.status_code == 404 and "Config not found" in response.json()["detail"]


def test_module_without_a_plugin_is_a_400_naming_it_and_the_installed_ones(amp):
    config_id = create_config(amp, "bundle:\n  name: b\nproviders:\n  - module: provider-nonesuch\n")
    response = amp.post("/sessions", json={"config_id": config_id})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "provider-nonesuch" in detail and "provider-echo" in detail and "provider-openai" in detail


def test_unset_environment_variable_is_a_400_naming_the_variable(amp, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    config_id = create_config(amp, "bundle:\n  name: b\nproviders:\n  - module: provider-anthropic\n"
                                   "    config:\n      api_key: ${ANTHROPIC_API_KEY}\n")
    response = amp.post("/sessions", json={"config_id": config_id})
    assert response.status_code == 400
    assert "ANTHROPIC_API_KEY" in response.json()["detail"]


def test_bare_module_name_and_echo_config_pass_through(amp):
    session_id = create_session(amp, "bundle:\n  name: b\nproviders:\n  - module: echo\n"
                                     "    config:\n      prefix: 'Parrot: '\n      delay: 0\n")
    answer = amp.post(f"/sessions/{session_id}/messages", json={"message": "hi"}).json()
    assert answer["response"] == "Parrot: hi"


def test_list_counts_messages_and_paginates(amp):
    first, second = create_session(amp), create_session(amp)
    amp.post(f"/sessions/{first}/messages", json={"message": "one"})
    amp.post(f"/sessions/{first}/messages", json={"message": "two"})
    listed = amp.get("/sessions").json()
    assert listed["total"] == 2
    counts = {s["session_id"]: s["message_count"] for s in listed["sessions"]}
    assert counts == {first: 4, second: 0}
    page = amp.get("/sessions", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and [s["session_id"] for s in page["sessions"]] == [first]


def test_get_and_delete(amp):
    session_id = create_session(amp)
    assert amp.get(f"/sessions/{session_id}").json()["status"] == "active"
    response = amp.delete(f"/sessions/{session_id}")
    assert response.json() == {"message": "Session deleted successfully"}
    for call in (amp.get(f"/sessions/{session_id}"), amp.delete(f"/sessions/{session_id}"),
                 amp.post(f"/sessions/{session_id}/messages", json={"message": "x"}),
                 amp.post(f"/sessions/{session_id}/resume"), amp.post(f"/sessions/{session_id}/cancel")):
        assert call.status_code == 404 and call.json() == {"detail": "Session not found"}


def test_session_keeps_working_when_its_config_is_deleted_and_resume_reloads_edits(amp):
    config_id = create_config(amp)
    session_id = amp.post("/sessions", json={"config_id": config_id}).json()["session_id"]
    amp.put(f"/configs/{config_id}", json={"yaml_content": "bundle:\n  name: b\nproviders:\n  - module: echo\n"
                                                            "    config: {prefix: 'New: ', delay: 0}\n"})
    assert amp.post(f"/sessions/{session_id}/messages", json={"message": "a"}).json()["response"] == "Echo: a"
    resumed = amp.post(f"/sessions/{session_id}/resume")
    assert resumed.status_code == 200 and resumed.json()["message"] == "Session resumed successfully"
    assert amp.post(f"/sessions/{session_id}/messages", json={"message": "b"}).json()["response"] == "New: b"
    amp.delete(f"/configs/{config_id}")
    assert amp.post(f"/sessions/{session_id}/resume").status_code == 200
    assert amp.post(f"/sessions/{session_id}/messages", json={"message": "c"}).json()["response"] == "New: c"


def test_conversation_is_sent_to_the_provider_with_the_key_from_the_environment(amp, fake_openai, openai_session):
    fake_openai.reply("First answer")
    fake_openai.reply("Second answer")
    assert amp.post(f"/sessions/{openai_session}/messages", json={"message": "one"}).json()["response"] == "First answer"
    assert amp.post(f"/sessions/{openai_session}/messages", json={"message": "two"}).json()["response"] == "Second answer"
    sent = fake_openai.requests[-1]
    assert sent.headers["authorization"] == "Bearer sk-test-secret"
    assert [(m["role"], m["content"]) for m in sent.json["messages"]] == [
        ("user", "one"), ("assistant", "First answer"), ("user", "two")]


def test_only_url_and_key_needed_for_an_openai_compatible_server(amp, fake_openai, monkeypatch):
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-only-key")
    session_id = create_session(amp, openai_yaml(fake_openai.base_url, model=None))
    answer = amp.post(f"/sessions/{session_id}/messages", json={"message": "hello"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"] == "Hello! You said: hello"
    assert fake_openai.requests[-1].json["model"] == fake_openai.models[0]["id"]


def test_message_must_not_be_empty_or_missing(amp):
    session_id = create_session(amp)
    missing = amp.post(f"/sessions/{session_id}/messages", json={"context": {}})
    assert missing.status_code == 422
    assert missing.json()["detail"] == [{"loc": ["body", "message"], "msg": "field required",
                                         "type": "value_error.missing"}]
    assert amp.post(f"/sessions/{session_id}/messages", json={"message": ""}).status_code == 422
    assert amp.get("/sessions").json()["sessions"][0]["message_count"] == 0


def test_a_loopback_provider_url_refused_by_default_says_how_to_allow_it(amp, fake_openai, monkeypatch):
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "false")
    reset_settings()
    config_id = create_config(amp, openai_yaml(fake_openai.base_url, key="sk-x"))
    response = amp.post("/sessions", json={"config_id": config_id})
    assert response.status_code == 400
    assert "AGENTDECK_OUTBOUND_ALLOW_PRIVATE=true" in response.json()["detail"]
