"""agtOS memory over HTTP: episodes, search, profile, conclusions, ask, sources and import.

The real local embedding model is used; the reasoning slot is the fake OpenAI upstream on
loopback, scripted with the answers a model would give.
"""
from __future__ import annotations

import json

import pytest

from agentdeck.agtos.memory import conclusions, episodes
from agentdeck.router import credentials

BASE = "/agtos/api/memory"


def _chatgpt_conversation(conv_id: str, title: str, user: str, assistant: str, created: float) -> dict:
    return {"id": conv_id, "conversation_id": conv_id, "title": title, "create_time": created, "current_node": "n3",
            "mapping": {
                "n1": {"id": "n1", "message": None, "parent": None, "children": ["n2"]},
                "n2": {"id": "n2", "parent": "n1", "children": ["n3"],
                       "message": {"id": "m2", "author": {"role": "user"},
                                   "content": {"content_type": "text", "parts": [user]}}},
                "n3": {"id": "n3", "parent": "n2", "children": [],
                       "message": {"id": "m3", "author": {"role": "assistant"},
                                   "content": {"content_type": "text", "parts": [assistant]}}}}}


EXPORT = [
    _chatgpt_conversation("c-sourdough", "Sourdough starter", "My sourdough starter smells of acetone, what now?",
                          "Feed it more often with equal flour and water; the smell is hunger.", 1700000000),
    _chatgpt_conversation("c-bike", "Commuting", "I cycle 12 km to the office every day, which tyres?",
                          "Puncture-resistant 32 mm tyres suit a daily commute.", 1700100000),
    _chatgpt_conversation("c-tax", "Tax return", "How do I declare freelance income on my tax return?",
                          "List it as self-employment income and keep your invoices.", 1700200000),
]


@pytest.fixture
def import_dir(settings, tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    (folder / "chatgpt").mkdir(parents=True)
    (folder / "chatgpt" / "conversations.json").write_text(json.dumps(EXPORT))
    monkeypatch.setenv("AGENTDECK_MEMORY_IMPORT_DIR", str(folder))
    return folder


def _use_fake_reasoning(client, fake):
    credentials.set_key("openai", "sk-test")
    assert client.put("/agtos/api/slots", json={"chat": {"provider": "openai", "model": "gpt-fake"},
                                                "reasoning": {"provider": "openai", "model": "gpt-fake"}}).status_code == 200


def test_walkthrough_import_find_by_other_words_and_ask(import_dir, client, use_fake_openai):
    sources = client.get(f"{BASE}/sources").json()["sources"]
    chatgpt = next(s for s in sources if s["name"] == "chatgpt-export")
    assert chatgpt == {"name": "chatgpt-export", "available": True, "memoryCount": 3, "path": str(import_dir)}

    first = client.post(f"{BASE}/import", json={"sources": ["chatgpt-export"]}).json()
    assert (first["imported"], first["skipped"], first["errors"]) == (3, 0, 0)
    again = client.post(f"{BASE}/import", json={}).json()
    assert (again["imported"], again["skipped"]) == (0, 3)

    listed = client.get(f"{BASE}/episodes").json()
    assert listed["count"] == 3
    assert {e["source"]["conversationId"] for e in listed["episodes"]} == {"c-sourdough", "c-bike", "c-tax"}

    # No word of the query is in the conversation: found by meaning.
    found = client.get(f"{BASE}/search", params={"q": "bicycle ride to work", "limit": 3}).json()
    top = found["episodes"][0]
    assert top["source"]["conversationId"] == "c-bike" and top["matchType"] in {"semantic", "hybrid"}
    assert 0 < top["score"] <= 1

    bike_id = top["id"]
    _use_fake_reasoning(client, use_fake_openai)
    # Every answer of the fake is this one (entity extraction, subscribed to new episodes, asks it too).
    use_fake_openai.default_text = json.dumps({"answer": "You cycle 12 km to the office each day.",
                                               "confidence": 0.8, "sources": [bike_id, "made-up-id"]})
    answer = client.post(f"{BASE}/ask", json={"question": "How do I get to work?"})
    assert answer.status_code == 200
    assert answer.json() == {"answer": "You cycle 12 km to the office each day.", "confidence": 0.8,
                             "sources": [bike_id]}
    # The ask's own request (entity extraction may have asked the fake since)
    prompt = next(r.json["messages"][-1]["content"] for r in reversed(use_fake_openai.requests)
                  if "Question: How do I get to work?" in r.json["messages"][-1]["content"])
    assert bike_id in prompt


def test_a_malformed_export_is_an_error_in_the_result(import_dir, client):
    (import_dir / "broken").mkdir()
    (import_dir / "broken" / "conversations.json").write_text('[{"mapping": {"x": ')
    result = client.post(f"{BASE}/import", json={"sources": ["chatgpt-export"]})
    assert result.status_code == 200
    body = result.json()
    assert body["imported"] == 3 and body["errors"] == 1
    assert body["errorDetails"][0]["file"] == "broken/conversations.json"
    assert body["errorDetails"][0]["source"] == "chatgpt-export"


def test_an_unknown_source_is_400(import_dir, client):
    response = client.post(f"{BASE}/import", json={"sources": ["notion"]})
    assert response.status_code == 400 and response.json() == {"error": "Unknown source: notion"}


def test_search_needs_a_query(client):
    assert client.get(f"{BASE}/search").status_code == 400
    blank = client.get(f"{BASE}/search", params={"q": "   "})
    assert blank.status_code == 400 and blank.json() == {"error": "Missing required query parameter: q"}
    assert client.get(f"{BASE}/search", params={"q": "x", "limit": 51}).status_code == 400
    assert client.get(f"{BASE}/episodes", params={"limit": 0}).status_code == 400


def test_profile_is_updated_field_by_field_within_its_limits(client):
    assert client.get(f"{BASE}/profile").json() == {"profile": {}}
    assert client.put(f"{BASE}/profile", json={"name": "Alex", "patterns": ["morning person"]}).json() == {"updated": True}
    assert client.put(f"{BASE}/profile", json={"preferences": {"units": "metric"}}).status_code == 200
    assert client.get(f"{BASE}/profile").json()["profile"] == {
        "name": "Alex", "patterns": ["morning person"], "preferences": {"units": "metric"}}
    too_long = client.put(f"{BASE}/profile", json={"name": "x" * 201})
    assert too_long.status_code == 400 and "error" in too_long.json()
    assert client.put(f"{BASE}/profile", json={"patterns": ["p"] * 51}).status_code == 400
    assert client.put(f"{BASE}/profile", json={"age": 3}).status_code == 400


def test_conclusions_filter_and_delete(client):
    episode, _ = episodes.store(summary="Said they prefer morning meetings", source_kind="chat",
                                source_ref={"sessionId": "s", "messageIds": [1]})
    kept = conclusions.add("User prefers morning meetings", "explicit", 0.9, [episode.id, "not-an-episode"])
    conclusions.add("User may be an early riser", "inferred", 0.4, [episode.id])
    body = client.get(f"{BASE}/conclusions", params={"type": "explicit", "minConfidence": 0.5}).json()
    assert body == {"conclusions": [{"id": kept.id, "text": "User prefers morning meetings", "type": "explicit",
                                     "confidence": 0.9, "sources": [episode.id]}]}
    assert len(client.get(f"{BASE}/conclusions").json()["conclusions"]) == 2
    assert client.get(f"{BASE}/conclusions", params={"type": "guessed"}).status_code == 400
    assert client.delete(f"{BASE}/conclusions/{kept.id}").json() == {"deleted": True, "conclusionId": kept.id}
    assert client.delete(f"{BASE}/conclusions/{kept.id}").status_code == 404
    assert len(client.get(f"{BASE}/conclusions").json()["conclusions"]) == 1


def test_ask_checks_its_question(client):
    assert client.post(f"{BASE}/ask", json={}).status_code == 400
    assert client.post(f"{BASE}/ask", json={"question": "x" * 2001}).status_code == 400
    for question in ("  ", "\u00a0", None):  # blank (any Unicode space) or absent: the reference's text
        blank = client.post(f"{BASE}/ask", json={} if question is None else {"question": question})
        assert blank.status_code == 400 and blank.json() == {"error": "Missing or invalid question"}, question


def test_ask_without_a_provider_answering_is_503(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    client.post("/agtos/api/slots/auto-configure", json={"mode": "cloud", "cloudProvider": "openai",
                                                         "fallbackStrategy": "none"})
    _use_fake_reasoning(client, use_fake_openai)
    for _ in range(4):
        use_fake_openai.fail(500)
    response = client.post(f"{BASE}/ask", json={"question": "Who am I?"})
    assert response.status_code == 503 and response.json()["error"] == "Memory reasoning not available"


@pytest.mark.parametrize("method,path,body", [
    ("get", "/episodes", None), ("get", "/search?q=x", None), ("get", "/profile", None),
    ("put", "/profile", {"name": "A"}), ("get", "/conclusions", None), ("delete", "/conclusions/abc", None),
    ("post", "/ask", {"question": "who?"}), ("get", "/sources", None), ("post", "/import", {}),
])
def test_each_needs_the_key_when_one_is_set(api_key, client, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    refused = getattr(client, method)(BASE + path, **kwargs)
    assert refused.status_code == 401 and refused.json()["error"] == "Unauthorized"
    wrong = getattr(client, method)(BASE + path, headers={"Authorization": "Bearer nope"}, **kwargs)
    assert wrong.status_code == 401
