"""agtOS rate limits: API_RATE_LIMIT on every /api request, CHAT_RATE_LIMIT on chat, tasks and
credentials, per client, with the reference's headers and 429 body."""
import pytest
from starlette.testclient import TestClient


@pytest.fixture
def limited(settings, monkeypatch):
    """Small limits (5 a minute for /api, 2 for chat) for the app built after this fixture."""
    monkeypatch.setenv("API_RATE_LIMIT", "5")
    monkeypatch.setenv("CHAT_RATE_LIMIT", "2")


def test_every_api_response_says_how_many_requests_are_left(client):
    answers = [client.get("/agtos/api/system/info") for _ in range(3)]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["99", "98", "97"]


def test_the_remaining_count_is_on_error_responses_too(client):
    response = client.post("/agtos/api/chat", json={})
    assert response.status_code == 400
    assert response.headers["x-ratelimit-remaining"] == "19"  # the chat limit, the lower of the two


def test_past_the_api_limit_is_the_reference_429(limited, client):
    for _ in range(5):
        assert client.get("/agtos/api/system/info").status_code == 200
    response = client.get("/agtos/api/system/info")
    assert response.status_code == 429
    retry_after = response.json()["retryAfter"]
    assert response.json() == {"error": "Too many requests", "retryAfter": retry_after}
    assert 0 < retry_after <= 60
    assert response.headers["retry-after"] == str(retry_after)
    assert response.headers["x-ratelimit-limit"] == "5"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers["x-ratelimit-reset"] == str(retry_after)  # seconds, as documented


def test_chat_tasks_and_credentials_share_the_chat_limit(limited, client):
    assert client.post("/agtos/api/chat", json={"text": "hi"}).status_code == 200
    assert client.post("/agtos/api/tasks", json={"topic": "a topic"}).status_code != 429
    response = client.post("/agtos/api/credentials/validate", json={"provider": "openai", "apiKey": "k"})
    assert response.status_code == 429
    assert response.headers["x-ratelimit-limit"] == "2"
    # The general limit still has room for other operations.
    assert client.get("/agtos/api/system/info").status_code == 200


def test_health_and_metrics_are_not_limited(limited, client):
    for _ in range(8):
        assert client.get("/agtos/health").status_code == 200
        assert "x-ratelimit-remaining" not in client.get("/agtos/metrics").headers


def test_each_client_has_its_own_count(limited, app):
    with TestClient(app, client=("192.0.2.1", 1000)) as first, TestClient(app, client=("192.0.2.2", 1000)) as second:
        for _ in range(5):
            first.get("/agtos/api/system/info")
        assert first.get("/agtos/api/system/info").status_code == 429
        assert second.get("/agtos/api/system/info").status_code == 200


def test_other_surfaces_are_not_counted(limited, client):
    for _ in range(8):
        response = client.get("/augmentos/api/apps")
        assert response.status_code != 429
        assert "x-ratelimit-remaining" not in response.headers


def test_two_server_processes_on_one_database_share_the_count(settings, tmp_path):
    import httpx

    from tests.support.servers import agentdeck_serve

    env = {"AGENTDECK_SURFACES": "agtos", "API_RATE_LIMIT": "6", "AGENTDECK_VALIDATE_RESPONSES": "false"}
    with agentdeck_serve(1, env, tmp_path) as first, agentdeck_serve(1, env, tmp_path) as second:
        answers = []
        for i in range(7):
            with httpx.Client() as http:
                answers.append(http.get(f"{(first, second)[i % 2]}/agtos/api/system/info"))
    assert [a.status_code for a in answers] == [200] * 6 + [429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["5", "4", "3", "2", "1", "0", "0"]
