"""agtOS system info and the voice endpoints (no voice pipeline in agentdeck)."""


def test_system_info(client):
    body = client.get("/agtos/api/system/info").json()
    assert body["uptime"] >= 0
    assert body["memoryUsage"]["rss"] > 0
    assert body["arch"] and body["platform"]
    assert body["timestamp"] > 1_700_000_000_000


def test_voice_status_says_unavailable(client):
    response = client.get("/agtos/api/voice/status")
    assert response.status_code == 200
    assert response.json() == {"available": False}


def test_voice_stats_are_zeroed(client):
    body = client.get("/agtos/api/voice/stats").json()
    assert body["stt"] == {"p50": 0, "p95": 0, "p99": 0, "count": 0}
    assert body["tts"]["count"] == 0
    assert body["audioChunksIn"] == body["audioChunksOut"] == body["activeSessions"] == 0


def test_sessions_are_503_without_a_voice_pipeline(client):
    response = client.get("/agtos/api/sessions")
    assert response.status_code == 503
    assert response.json() == {"error": "Voice pipeline not available"}


def test_each_needs_the_key_when_one_is_set(api_key, client):
    for path in ("/agtos/api/system/info", "/agtos/api/voice/status", "/agtos/api/voice/stats",
                 "/agtos/api/sessions"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=api_key).status_code in {200, 503}, path
