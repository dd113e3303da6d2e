"""Transcripts: posted by the glasses client, read back by the owning TPA by time window."""
from datetime import timedelta

import pytest

from agentdeck.timeutil import to_iso, utcnow

PATH = "/augmentos/api/transcripts"


@pytest.fixture
def session_id(client, tpa, user_headers):
    response = client.post("/augmentos/api/app-sessions", json={"packageName": tpa.package}, headers=user_headers)
    return response.json()["data"]["sessionId"]


def _post(client, session_id, headers, *segments):
    return client.post(f"{PATH}/{session_id}", json={"segments": list(segments)}, headers=headers)


def test_final_replaces_interim_and_reads_back(client, tpa, user_headers, session_id):
    now = utcnow()
    _post(client, session_id, user_headers,
          {"resultId": "r1", "speakerId": "user1", "text": "Hello", "isFinal": False, "timestamp": to_iso(now - timedelta(seconds=3))},
          {"resultId": "r1", "speakerId": "user1", "text": "Hello there", "isFinal": False, "timestamp": to_iso(now - timedelta(seconds=2))})
    response = _post(client, session_id, user_headers,
                     {"resultId": "r1", "speakerId": "user1", "text": "Hello there, how are you?", "isFinal": True, "timestamp": to_iso(now - timedelta(seconds=1))},
                     {"resultId": "r2", "speakerId": "user1", "text": "I am", "isFinal": False, "timestamp": to_iso(now)})
    assert response.status_code == 201 and response.json() == {"success": True, "stored": 2}
    body = client.get(f"{PATH}/{session_id}", params={"duration": 60}, headers=tpa.headers).json()
    assert [(s["text"], s["isFinal"]) for s in body["segments"]] == [("Hello there, how are you?", True), ("I am", False)]
    assert body["segments"][0]["speakerId"] == "user1" and body["segments"][0]["timestamp"].endswith("Z")


def test_duration_and_time_window_filters(client, tpa, user_headers, session_id):
    now = utcnow().replace(microsecond=0)
    for minutes, text in ((10, "old"), (5, "middle"), (0, "new")):
        _post(client, session_id, user_headers,
              {"text": text, "isFinal": True, "timestamp": to_iso(now - timedelta(minutes=minutes))})

    def texts(**params):
        response = client.get(f"{PATH}/{session_id}", params=params, headers=tpa.headers)
        assert response.status_code == 200, response.text
        return [s["text"] for s in response.json()["segments"]]

    assert texts(duration=120) == ["new"]
    assert texts(duration=420) == ["middle", "new"]
    assert texts(startTime=to_iso(now - timedelta(minutes=6))) == ["middle", "new"]
    assert texts(endTime=to_iso(now - timedelta(minutes=5))) == ["old", "middle"]
    assert texts(startTime=to_iso(now - timedelta(minutes=11)), endTime=to_iso(now - timedelta(minutes=4))) == ["old", "middle"]


def test_window_is_required(client, tpa, session_id):
    response = client.get(f"{PATH}/{session_id}", headers=tpa.headers)
    assert response.status_code == 400
    assert response.json() == {"error": "duration, startTime, or endTime is required"}


def test_auth_and_ownership(client, tpa, session_id):
    assert client.get(f"{PATH}/{session_id}?duration=60").json() == {"error": "Unauthorized"}
    wrong = {**tpa.headers, "X-API-Key": "nope"}
    assert client.get(f"{PATH}/{session_id}?duration=60", headers=wrong).status_code == 401
    from agentdeck.augmentos import apps

    _, other_key = apps.create_app("com.example.other", "Other")
    other = {"X-API-Key": other_key, "X-Package-Name": "com.example.other"}
    response = client.get(f"{PATH}/{session_id}?duration=60", headers=other)
    assert response.status_code == 404 and response.json() == {"error": "Session not found"}


def test_posting_needs_an_active_session_of_the_caller(client, tpa, user_headers, session_id):
    assert _post(client, session_id, {}, {"text": "x", "isFinal": True}).status_code == 401
    client.post(f"/augmentos/api/app-sessions/{session_id}/stop", headers=user_headers)
    response = _post(client, session_id, user_headers, {"text": "x", "isFinal": True})
    assert response.status_code == 400 and "not active" in response.json()["error"]


def test_segments_older_than_the_retention_are_swept_under_the_maintenance_lease(
        client, tpa, user_headers, session_id, monkeypatch):
    from agentdeck.maintenance import run_sweeps_once
    from agentdeck.settings import reset_settings
    from agentdeck.surfaces import SURFACES

    now = utcnow().replace(microsecond=0)
    for minutes, text in ((40, "forty minutes ago"), (20, "twenty minutes ago"), (0, "now")):
        _post(client, session_id, user_headers,
              {"text": text, "isFinal": True, "timestamp": to_iso(now - timedelta(minutes=minutes))})

    def texts():
        response = client.get(f"{PATH}/{session_id}", params={"duration": 3600}, headers=tpa.headers)
        return [s["text"] for s in response.json()["segments"]]

    assert run_sweeps_once([SURFACES["augmentos"].run_sweeps])
    assert texts() == ["twenty minutes ago", "now"]  # the default: 30 minutes, as upstream
    monkeypatch.setenv("AGENTDECK_AUGMENTOS_TRANSCRIPT_RETENTION", "600")
    reset_settings()
    assert run_sweeps_once([SURFACES["augmentos"].run_sweeps])
    assert texts() == ["now"]
