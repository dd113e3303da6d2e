"""User preferences: the documented defaults, partial updates, limits, and the API key."""
import pytest

DEFAULTS = {"ttsVoice": "af_heart", "ttsSpeed": 1.0, "language": "en", "wakeWord": "hey agtos",
            "privacySettings": {"storeTranscripts": True, "storeAudio": False, "allowAudioCapture": True,
                                "allowVideoCapture": False, "allowNeuralCapture": False, "allowAmbientCapture": False}}


def test_an_unknown_user_reads_the_defaults(client):
    response = client.get("/agtos/api/users/user-abc123/preferences")
    assert response.status_code == 200
    assert response.json() == {"preferences": DEFAULTS}


def test_an_update_changes_only_what_it_holds(client):
    response = client.put("/agtos/api/users/user-abc123/preferences",
                          json={"ttsVoice": "nova", "ttsSpeed": 1.2, "privacySettings": {"storeAudio": True}})
    assert response.status_code == 200
    expected = {**DEFAULTS, "ttsVoice": "nova", "ttsSpeed": 1.2,
                "privacySettings": {**DEFAULTS["privacySettings"], "storeAudio": True}}
    assert response.json() == {"preferences": expected}
    client.put("/agtos/api/users/user-abc123/preferences", json={"wakeWord": "computer"})
    assert client.get("/agtos/api/users/user-abc123/preferences").json()["preferences"] == {**expected, "wakeWord": "computer"}
    assert client.get("/agtos/api/users/someone-else/preferences").json() == {"preferences": DEFAULTS}


@pytest.mark.parametrize("body", [{"ttsSpeed": 0.4}, {"ttsSpeed": 2.1}, {"ttsVoice": "v" * 101}, {"language": "l" * 11},
                                  {"wakeWord": "w" * 51}, {"privacySettings": {"storeAudio": "yes"}},
                                  {"privacySettings": {"shareEverything": True}}])
def test_values_outside_the_limits_are_400_and_change_nothing(client, body):
    response = client.put("/agtos/api/users/u1/preferences", json=body)
    assert response.status_code == 400 and "error" in response.json()
    assert client.get("/agtos/api/users/u1/preferences").json() == {"preferences": DEFAULTS}


def test_the_limits_themselves_are_accepted(client):
    body = {"ttsSpeed": 2.0, "ttsVoice": "v" * 100, "language": "l" * 10, "wakeWord": "w" * 50}
    assert client.put("/agtos/api/users/u1/preferences", json=body).status_code == 200


def test_without_the_api_key_preferences_are_refused(api_key, client):
    assert client.get("/agtos/api/users/u1/preferences").status_code == 401
    assert client.put("/agtos/api/users/u1/preferences", json={"ttsVoice": "nova"}).status_code == 401
    assert client.get("/agtos/api/users/u1/preferences", headers=api_key).json() == {"preferences": DEFAULTS}
