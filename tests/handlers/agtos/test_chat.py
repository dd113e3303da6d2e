"""agtOS chat, streamed chat, history and tasks through the HTTP surface."""
import json

from agentdeck.router import credentials


def sse_events(response) -> list[dict]:
    return [json.loads(line[len("data: "):]) for line in response.text.splitlines() if line.startswith("data: ")]


def test_a_fresh_install_answers_through_echo(client):
    response = client.post("/agtos/api/chat", json={"text": "hello there"})
    assert response.status_code == 200
    body = response.json()
    assert body["text"]
    assert "sessionId" not in body
    assert body["metadata"]["stepCount"] >= 1
    assert set(body["metadata"]) == {"stepCount", "toolCallCount", "durationMs"}


def test_a_session_is_remembered_and_its_history_read(client):
    first = client.post("/agtos/api/chat", json={"text": "My name is Alex", "sessionId": "session-abc123"})
    assert first.json()["sessionId"] == "session-abc123"
    history = client.get("/agtos/api/chat/history/session-abc123").json()
    assert history["sessionExpired"] is False
    assert history["count"] == 2
    assert [m["role"] for m in history["messages"]] == ["user", "assistant"]
    assert history["messages"][0]["content"] == "My name is Alex"


def test_an_unknown_session_is_expired_with_no_messages(client):
    assert client.get("/agtos/api/chat/history/session-old").json() == {
        "sessionId": "session-old", "sessionExpired": True, "messages": [], "count": 0}


def test_missing_empty_or_blank_text_is_the_reference_400(client):
    for body in ({}, {"text": ""}, {"text": "   "}):
        for path in ("/agtos/api/chat", "/agtos/api/chat/stream"):
            response = client.post(path, json=body)
            assert response.status_code == 400, (path, body)
            assert response.json() == {"error": "Missing or empty required field: text"}, (path, body)


def test_text_over_ten_thousand_characters_is_400(client):
    assert client.post("/agtos/api/chat", json={"text": "a" * 10001}).status_code == 400


def test_images_to_a_provider_without_images_are_400(client):
    response = client.post("/agtos/api/chat", json={
        "text": "what is this?", "files": [{"content": "iVBORw0KGgo=", "mimeType": "image/png", "encoding": "base64"}]})
    assert response.status_code == 400
    assert "error" in response.json()


def test_the_stream_sends_content_then_done(client):
    response = client.post("/agtos/api/chat/stream", json={"text": "hello stream", "sessionId": "s-1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response)
    assert events[0]["type"] in {"content", "thinking", "step"}
    assert any(e["type"] == "content" for e in events)
    assert events[-1]["type"] == "done"
    assert events[-1]["sessionId"] == "s-1"
    assert client.get("/agtos/api/chat/history/s-1").json()["count"] == 2


def test_every_provider_failing_is_a_500_naming_them(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    client.post("/agtos/api/slots/auto-configure", json={"mode": "cloud", "cloudProvider": "openai",
                                                         "fallbackStrategy": "none"})
    client.put("/agtos/api/slots", json={"chat": {"provider": "openai", "model": "gpt-fake"}})
    use_fake_openai.fail(500)
    use_fake_openai.fail(500)
    response = client.post("/agtos/api/chat", json={"text": "hello"})
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "Chat processing failed"
    assert "openai" in body["message"]
    use_fake_openai.fail(500)
    use_fake_openai.fail(500)
    events = sse_events(client.post("/agtos/api/chat/stream", json={"text": "hello"}))
    assert events[-1]["type"] == "error" and events[-1]["error"] == "Chat processing failed"


def test_chat_answers_from_the_configured_upstream(client, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    client.put("/agtos/api/slots", json={"chat": {"provider": "openai", "model": "gpt-fake"}})
    use_fake_openai.reply("Hi from the fake")
    assert client.post("/agtos/api/chat", json={"text": "hello"}).json()["text"] == "Hi from the fake"


def test_a_task_answers_with_a_task_id(client):
    response = client.post("/agtos/api/tasks", json={"topic": "Summarize the news"})
    assert response.status_code == 200
    body = response.json()
    assert len(body["taskId"]) == 36 and body["text"]
    assert set(body["metadata"]) == {"stepCount", "toolCallCount", "durationMs"}


def test_a_task_without_a_topic_is_the_reference_400(client):
    for body in ({}, {"topic": ""}, {"topic": " "}):
        response = client.post("/agtos/api/tasks", json=body)
        assert response.status_code == 400
        assert response.json() == {"error": "Missing or empty required field: topic"}


def test_each_needs_the_key_when_one_is_set(api_key, client):
    calls = [("/agtos/api/chat", {"text": "hi"}), ("/agtos/api/chat/stream", {"text": "hi"}),
             ("/agtos/api/tasks", {"topic": "hi"})]
    for path, body in calls:
        assert client.post(path, json=body).status_code == 401, path
        assert client.post(path, json=body, headers=api_key).status_code == 200, path
    assert client.get("/agtos/api/chat/history/s-1").status_code == 401
    assert client.get("/agtos/api/chat/history/s-1", headers=api_key).status_code == 200


def test_a_client_that_disconnects_cancels_the_upstream_call(app, live_server, use_fake_openai):
    import asyncio

    import httpx

    credentials.set_key("openai", "sk-test")
    with httpx.Client(base_url=live_server) as http:
        http.put("/agtos/api/slots", json={"chat": {"provider": "openai", "model": "gpt-fake"}})
    use_fake_openai.default_text = " ".join(["word"] * 400)
    use_fake_openai.set_tokens_per_second(40)
    with httpx.Client(base_url=live_server, timeout=10) as http:
        with http.stream("POST", "/agtos/api/chat/stream", json={"text": "talk", "sessionId": "gone"}) as response:
            lines = response.iter_lines()
            assert next(line for line in lines if line.startswith("data: "))
    waited = asyncio.run(use_fake_openai.wait_until_streams_closed(timeout=2.0))
    assert waited < 1.5 and use_fake_openai.streams[-1].completed is False
    with httpx.Client(base_url=live_server) as http:
        assert http.get("/agtos/api/chat/history/gone").json()["sessionExpired"] is True


def test_an_empty_session_id_is_stateless(client):
    body = client.post("/agtos/api/chat", json={"text": "hello", "sessionId": ""}).json()
    assert "sessionId" not in body
