"""owlette's general limit: 300 dashboard requests an hour per client address, agents not counted."""
from __future__ import annotations

import pytest


@pytest.fixture
def five_an_hour(settings, monkeypatch):
    monkeypatch.setenv("AGENTDECK_OWLETTE_API_RATE_LIMIT", "5")


def test_past_the_general_limit_is_owlettes_429(five_an_hour, owlette, client):
    answers = [client.get("/owlette/api/admin/sites") for _ in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    refused = answers[-1]
    body = refused.json()
    assert body["error"] == "Too many requests" and 3000 < body["retryAfter"] <= 3600
    assert body["message"].startswith("Rate limit exceeded")
    assert refused.headers["Retry-After"] == str(body["retryAfter"])
    assert refused.headers["X-RateLimit-Limit"] == "5" and refused.headers["X-RateLimit-Remaining"] == "0"


def test_agents_with_a_bearer_token_are_not_counted(five_an_hour, owlette, client):
    for _ in range(5):
        client.get("/owlette/api/admin/sites")
    assert client.get("/owlette/api/admin/sites").status_code == 429
    agent = client.post("/owlette/api/agent/auth/refresh", json={"refreshToken": "x" * 40, "machineId": "m1"},
                        headers={"Authorization": "Bearer not-a-token"})
    assert agent.status_code != 429


def test_the_default_is_300_an_hour(owlette, client):
    statuses = [client.get("/owlette/api/admin/sites").status_code for _ in range(301)]
    assert statuses[:300] == [401] * 300 and statuses[300] == 429
    assert client.get("/owlette/api/admin/sites").headers["X-RateLimit-Limit"] == "300"


def test_other_surfaces_are_not_counted(five_an_hour, client):
    for _ in range(7):
        assert client.get("/amplifier/health").status_code == 200
