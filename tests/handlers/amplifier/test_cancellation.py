"""Cancellation on a real server: a stream or a message in flight stops within a second, the
upstream connection closes, and the conversation keeps the partial reply, marked cancelled."""
import asyncio
import time

from tests.handlers.amplifier.conftest import openai_yaml
from tests.handlers.amplifier.live import async_client, new_session, read_events

LONG_REPLY = " ".join(f"word{i}" for i in range(200))


def slow_upstream(fake_openai, monkeypatch):
    monkeypatch.setenv("FAKE_OPENAI_KEY", "k")
    fake_openai.set_tokens_per_second(20)
    fake_openai.reply(LONG_REPLY)
    return openai_yaml(fake_openai.base_url)


async def test_cancel_stops_a_stream_within_a_second(live_server, fake_openai, monkeypatch):
    yaml_content = slow_upstream(fake_openai, monkeypatch)
    async with async_client(live_server) as client:
        session_id = await new_session(client, yaml_content)
        asked = {}

        async def cancel_after_three_deltas(event, events):
            if event["type"] == "provider:stream:delta" and len(events) == 4:
                asked["at"] = time.monotonic()
                response = await client.post(f"/sessions/{session_id}/cancel")
                assert response.json() == {"message": "Cancellation requested"}

        async with client.stream("POST", f"/sessions/{session_id}/stream", json={"message": "go"}) as response:
            events = await read_events(response, cancel_after_three_deltas)
        assert time.monotonic() - asked["at"] < 1.0
        await fake_openai.wait_until_streams_closed(timeout=1.0)
        partial = "".join(e["data"]["content"] for e in events if e["type"] == "provider:stream:delta")
        assert events[-2:] == [{"type": "cancelled", "content": partial}, {"type": "done"}]
        assert 0 < len(partial) < len(LONG_REPLY)

        fake_openai.set_tokens_per_second(0)
        fake_openai.reply("fine")
        await client.post(f"/sessions/{session_id}/messages", json={"message": "again"})
        sent = [(m["role"], m["content"]) for m in fake_openai.requests[-1].json["messages"]]
        assert sent == [("user", "go"), ("assistant", partial), ("user", "again")]


async def test_cancel_stops_a_message_in_flight(live_server, fake_openai, monkeypatch):
    yaml_content = slow_upstream(fake_openai, monkeypatch)
    async with async_client(live_server) as client:
        session_id = await new_session(client, yaml_content)
        pending = asyncio.create_task(client.post(f"/sessions/{session_id}/messages", json={"message": "go"}))
        while not fake_openai.open_streams:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        busy = await client.post(f"/sessions/{session_id}/messages", json={"message": "meanwhile"})
        assert busy.status_code == 409
        started = time.monotonic()
        await client.post(f"/sessions/{session_id}/cancel")
        response = await pending
        assert time.monotonic() - started < 1.0
        assert response.status_code == 200
        body = response.json()
        assert body["metadata"]["cancelled"] is True and body["metadata"]["status"] == "cancelled"
        assert LONG_REPLY.startswith(body["response"]) and body["response"]
        await fake_openai.wait_until_streams_closed(timeout=1.0)
        listed = (await client.get("/sessions")).json()["sessions"][0]
        assert listed["message_count"] == 2


async def test_client_going_away_stops_the_upstream(live_server, fake_openai, monkeypatch):
    yaml_content = slow_upstream(fake_openai, monkeypatch)
    async with async_client(live_server) as client:
        session_id = await new_session(client, yaml_content)
        async with client.stream("POST", f"/sessions/{session_id}/stream", json={"message": "go"}) as response:
            async for line in response.aiter_lines():
                if "provider:stream:delta" in line:
                    break
        await fake_openai.wait_until_streams_closed(timeout=1.0)
        for _ in range(100):  # the reply is recorded, and the session released, just after
            if (await client.get("/sessions")).json()["sessions"][0]["message_count"] == 2:
                break
            await asyncio.sleep(0.02)
        fake_openai.set_tokens_per_second(0)
        assert (await client.post(f"/sessions/{session_id}/messages", json={"message": "x"})).status_code == 200


async def test_cancel_reaches_a_stream_served_by_another_worker(app, live_server, fake_openai, monkeypatch):
    from agentdeck.app import create_app
    from tests.support.servers import ThreadedServer

    yaml_content = slow_upstream(fake_openai, monkeypatch)
    with ThreadedServer(create_app()) as other_worker:  # a second app and event loop, same database
        async with async_client(live_server) as first, async_client(other_worker.url) as second:
            session_id = await new_session(first, yaml_content)
            asked = {}

            async def cancel_elsewhere(event, events):
                if event["type"] == "provider:stream:delta" and "at" not in asked:
                    asked["at"] = time.monotonic()
                    await second.post(f"/sessions/{session_id}/cancel")

            async with first.stream("POST", f"/sessions/{session_id}/stream", json={"message": "go"}) as response:
                events = await read_events(response, cancel_elsewhere)
            assert time.monotonic() - asked["at"] < 1.0
            assert events[-2]["type"] == "cancelled" and events[-1] == {"type": "done"}
            await fake_openai.wait_until_streams_closed(timeout=1.0)
