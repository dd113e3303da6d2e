"""Messages and streams: the reply, SSE events as the reference shows them, provider failures."""
import pytest

from tests.handlers.amplifier.conftest import create_session, sse_events


def stream(amp, session_id, message="Create a function"):
    with amp.stream("POST", f"/sessions/{session_id}/stream", json={"message": message}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return sse_events(response.iter_lines())


def test_stream_events_are_exactly_the_reference_sequence(amp, fake_openai, openai_session):
    fake_openai.reply("Here's a Python function")
    events = stream(amp, openai_session)
    assert events[0] == {"type": "connected", "session_id": openai_session}
    deltas = [e for e in events if e["type"] == "provider:stream:delta"]
    assert [d["data"]["content"] for d in deltas] == ["Here's", " a", " Python", " function"]
    assert events[len(deltas) + 1:] == [{"type": "response", "content": "Here's a Python function"},
                                        {"type": "done"}]


def test_streamed_reply_is_kept_in_the_conversation(amp, fake_openai, openai_session):
    stream(amp, openai_session, "first")
    fake_openai.reply("ok")
    amp.post(f"/sessions/{openai_session}/messages", json={"message": "second"})
    assert [m["content"] for m in fake_openai.requests[-1].json["messages"]] == [
        "first", "Hello! You said: first", "second"]


def test_stream_through_echo_with_no_configuration(amp):
    events = stream(amp, create_session(amp), "hello world")
    assert [e["type"] for e in events] == ["connected"] + ["provider:stream:delta"] * 3 + ["response", "done"]
    assert events[-2]["content"] == "Echo: hello world"


def test_stream_errors_before_the_start_are_json(amp):
    response = amp.post("/sessions/nope/stream", json={"message": "x"})
    assert response.status_code == 404 and response.json() == {"detail": "Session not found"}
    assert amp.post("/sessions/nope/stream", json={}).status_code == 422


@pytest.mark.parametrize("status, expected", [(401, 401), (402, 402), (429, 429), (500, 502),
                                              (400, 400)])
def test_provider_failures_map_to_clear_statuses(amp, fake_openai, openai_session, status, expected):
    fake_openai.fail(status, headers={"retry-after": "7"} if status == 429 else None)
    response = amp.post(f"/sessions/{openai_session}/messages", json={"message": "x"})
    assert response.status_code == expected
    assert response.json()["detail"].startswith("Provider error:")
    assert "sk-test-secret" not in response.text
    if status == 429:
        assert response.headers["retry-after"] == "7"
    # the session is free again and the conversation stays in step
    fake_openai.reply("recovered")
    assert amp.post(f"/sessions/{openai_session}/messages", json={"message": "y"}).json()["response"] == "recovered"
    roles = [m["role"] for m in fake_openai.requests[-1].json["messages"]]
    assert roles == ["user", "user"]  # the failed reply was empty, so it is left out


def test_provider_timeout_is_504(amp, fake_openai, monkeypatch):
    from tests.handlers.amplifier.conftest import openai_yaml

    monkeypatch.setenv("FAKE_OPENAI_KEY", "k")
    session_id = create_session(amp, openai_yaml(fake_openai.base_url).replace("timeout: 5", "timeout: 0.3"))
    fake_openai.response_delay = 1.5
    response = amp.post(f"/sessions/{session_id}/messages", json={"message": "x"})
    assert response.status_code == 504


def test_failure_mid_stream_is_an_error_event(amp, fake_openai, openai_session):
    fake_openai.fail(500, after_tokens=2, message="overloaded")
    events = stream(amp, openai_session)
    assert events[0]["type"] == "connected"
    assert [e["data"]["content"] for e in events if e["type"] == "provider:stream:delta"] == ["partial", " answer"]
    assert events[-1]["type"] == "error" and events[-1]["status"] == 502
    assert events[-1]["message"].startswith("Provider error:")
    assert all(e["type"] not in {"response", "done"} for e in events)


def test_streamed_exchange_counts_two_messages(amp):
    session_id = create_session(amp)
    response = amp.post(f"/sessions/{session_id}/stream", json={"message": "x"})
    assert response.status_code == 200
    listed = amp.get("/sessions").json()["sessions"][0]
    assert listed["message_count"] == 2
