"""Hundreds of SSE streams open at once on one worker, each delivered completely."""
import asyncio

from tests.handlers.amplifier.live import async_client, read_events

STREAMS = 300
WORDS, DELAY = 20, 0.4  # each stream lasts 8 s: long enough for all of them to be open at once
SLOW_ECHO = f"bundle:\n  name: slow-echo\nproviders:\n  - module: provider-echo\n    config:\n      delay: {DELAY}\n"


async def test_hundreds_of_streams_at_once_each_complete(live_server):
    message = " ".join(f"w{i}" for i in range(WORDS))
    expected = f"Echo: {message}"
    open_now, peak = 0, 0

    async def one_stream(client, session_id):
        nonlocal open_now, peak
        async with client.stream("POST", f"/sessions/{session_id}/stream", json={"message": message}) as response:
            assert response.status_code == 200
            open_now += 1
            peak = max(peak, open_now)
            try:
                events = await read_events(response)
            finally:
                open_now -= 1
        assert events[0]["type"] == "connected" and events[-1] == {"type": "done"}
        deltas = "".join(e["data"]["content"] for e in events if e["type"] == "provider:stream:delta")
        assert deltas == expected and events[-2] == {"type": "response", "content": expected}

    async with async_client(live_server) as client:
        config_id = (await client.post("/configs", json={"name": "slow", "yaml_content": SLOW_ECHO})).json()["config_id"]
        sessions = await asyncio.gather(*[client.post("/sessions", json={"config_id": config_id})
                                          for _ in range(STREAMS)])
    ids = [s.json()["session_id"] for s in sessions]
    # A fresh client: no idle keep-alive connection the server may be closing as it is reused.
    async with async_client(live_server) as client:
        await asyncio.gather(*[one_stream(client, session_id) for session_id in ids])
    async with async_client(live_server) as client:  # again fresh: see above
        listed = (await client.get("/sessions", params={"limit": 1000})).json()["sessions"]
    assert peak == STREAMS, f"only {peak} of {STREAMS} streams were open at once"
    assert {s["message_count"] for s in listed} == {2}
