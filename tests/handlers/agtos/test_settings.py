"""agtOS settings over HTTP: GET/PUT /api/settings, the schema, the legacy config endpoints, and
a changed rate limit taking effect on every worker without a restart."""
import time

import httpx

from agentdeck.storage.models.eventbus import Event


def test_settings_list_every_writable_key_with_its_value(local):
    response = local.get("/agtos/api/settings")
    assert response.status_code == 200
    settings = response.json()["settings"]
    assert settings["ttsVoice"] == {"value": "af_heart", "description": 'TTS voice name (e.g. "af_heart", "nova")',
                                    "reloadType": "immediate", "category": "tts"}
    assert settings["llmProvider"]["value"] == "auto"
    assert settings["llmProvider"]["reloadType"] == "provider-restart"
    assert settings["apiRateLimit"]["value"] == 100
    assert set(settings) == {"ttsVoice", "ttsSpeed", "sttLanguage", "sttModel", "llmProvider", "llmModel",
                             "apiRateLimit", "chatRateLimit", "memorySearchMode", "memoryRetentionDays",
                             "vadThreshold", "logLevel"}


def test_the_schema_gives_types_and_constraints(local):
    schema = local.get("/agtos/api/settings/schema").json()["schema"]
    assert schema["ttsSpeed"] == {"type": "number", "description": "TTS speech speed (0.5–2.0)",
                                  "reloadType": "immediate", "category": "tts",
                                  "constraints": {"min": 0.5, "max": 2.0, "step": 0.1}}
    assert schema["llmProvider"]["constraints"] == {"options": ["claude", "ollama", "auto"]}
    assert schema["apiRateLimit"]["constraints"] == {"min": 1, "max": 1000}


def test_an_update_is_stored_announced_and_read_back(local):
    response = local.put("/agtos/api/settings", json={"ttsVoice": "nova", "ttsSpeed": 1.2, "logLevel": "debug"})
    assert response.status_code == 200
    assert response.json() == {"changed": ["ttsVoice", "ttsSpeed", "logLevel"], "persisted": True}
    settings = local.get("/agtos/api/settings").json()["settings"]
    assert (settings["ttsVoice"]["value"], settings["ttsSpeed"]["value"], settings["logLevel"]["value"]) == (
        "nova", 1.2, "debug")
    event = Event.select().where(Event.topic == "config:changed").get()
    assert event.payload["changed"] == ["ttsVoice", "ttsSpeed", "logLevel"]


def test_an_invalid_update_is_400_with_each_field_and_writes_nothing(local):
    response = local.put("/agtos/api/settings", json={"ttsSpeed": 2.5, "memoryRetentionDays": 0.5,
                                                       "ttsVoice": "", "color": "red", "sttLanguage": "de"})
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid settings update", "details": [
        {"field": "ttsSpeed", "message": "Number must be less than or equal to 2"},
        {"field": "memoryRetentionDays", "message": "Expected integer, received float"},
        {"field": "ttsVoice", "message": "String must contain at least 1 character(s)"},
        {"field": "color", "message": "Unrecognized key: 'color'"},
    ]}
    assert local.get("/agtos/api/settings").json()["settings"]["sttLanguage"]["value"] == "en"


def test_a_body_that_is_not_an_object_or_is_empty_is_400(local):
    assert local.put("/agtos/api/settings", json=[1]).status_code == 400
    response = local.put("/agtos/api/settings", json={})
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid settings update"


def test_legacy_writable_keys_and_update(local):
    writable = local.get("/agtos/api/config/writable").json()
    assert writable["keys"] == ["ttsVoice", "ttsSpeed", "sttLanguage", "sttModel", "logLevel", "apiRateLimit",
                                "chatRateLimit"]
    assert writable["current"]["ttsVoice"] == "af_heart"
    response = local.put("/agtos/api/config", json={"key": "ttsVoice", "value": "nova"})
    assert response.status_code == 200
    assert response.json() == {"key": "ttsVoice", "value": "nova", "envKey": "AGTOS_TTS_VOICE",
                               "applied": True, "persisted": True}
    assert local.put("/agtos/api/config", json={"key": "chatRateLimit", "value": "7"}).json()["value"] == 7
    assert local.get("/agtos/api/config/writable").json()["current"]["chatRateLimit"] == 7


def test_legacy_update_of_a_key_not_writable_is_403(local):
    response = local.put("/agtos/api/config", json={"key": "memorySearchMode", "value": "bm25"})
    assert response.status_code == 403
    assert response.json()["error"] == "Key is not writable"
    assert local.put("/agtos/api/config", json={"key": "AGTOS_API_KEY", "value": "x"}).status_code == 403


def test_legacy_update_with_a_bad_value_is_400(local):
    response = local.put("/agtos/api/config", json={"key": "ttsSpeed", "value": "fast"})
    assert response.status_code == 400
    assert response.json()["details"] == [{"field": "ttsSpeed", "message": "Expected number, received string"}]
    assert local.put("/agtos/api/config", json={"key": "ttsSpeed"}).status_code == 400


def test_a_remote_client_may_read_but_not_change_settings_without_an_api_key(remote):
    assert remote.get("/agtos/api/settings").status_code == 200
    for method, path, body in (("PUT", "/agtos/api/settings", {"ttsVoice": "nova"}),
                               ("PUT", "/agtos/api/config", {"key": "ttsVoice", "value": "nova"})):
        response = remote.request(method, path, json=body)
        assert response.status_code == 403
        assert response.json() == {"error": "Only available from localhost unless AGTOS_API_KEY is set"}
    assert remote.get("/agtos/api/settings").json()["settings"]["ttsVoice"]["value"] == "af_heart"


def test_with_an_api_key_every_settings_operation_needs_it(api_key, remote):
    for method, path, body in (("GET", "/agtos/api/settings", None), ("GET", "/agtos/api/settings/schema", None),
                               ("GET", "/agtos/api/config/writable", None),
                               ("PUT", "/agtos/api/settings", {"ttsVoice": "nova"}),
                               ("PUT", "/agtos/api/config", {"key": "ttsVoice", "value": "nova"})):
        assert remote.request(method, path, json=body).status_code == 401, path
    # With the key, a remote client may change them.
    assert remote.put("/agtos/api/settings", json={"ttsVoice": "nova"}, headers=api_key).status_code == 200


def test_a_lower_api_rate_limit_applies_to_the_next_request(local):
    assert local.put("/agtos/api/settings", json={"apiRateLimit": 3}).status_code == 200
    answers = [local.get("/agtos/api/system/info") for _ in range(4)]
    assert [a.status_code for a in answers][-1] == 429
    assert answers[-1].headers["x-ratelimit-limit"] == "3"


def test_a_changed_rate_limit_reaches_the_other_worker_without_a_restart(settings, tmp_path):
    from tests.support.servers import agentdeck_serve

    env = {"AGENTDECK_SURFACES": "agtos", "AGENTDECK_VALIDATE_RESPONSES": "false"}
    with agentdeck_serve(1, env, tmp_path) as first, agentdeck_serve(1, env, tmp_path) as second:
        with httpx.Client() as http:
            assert http.get(f"{second}/agtos/api/system/info").headers["x-ratelimit-remaining"] == "99"
            assert http.put(f"{first}/agtos/api/settings", json={"apiRateLimit": 4}).status_code == 200
            time.sleep(1.2)  # the other worker rereads within a second
            answers = [http.get(f"{second}/agtos/api/system/info") for _ in range(4)]
    # Two requests already counted in this window (one to each server), so two more reach 4.
    assert [a.status_code for a in answers] == [200, 200, 429, 429]
    assert answers[-1].headers["x-ratelimit-limit"] == "4"
