"""The agent loop over real HTTP to the fake OpenAI upstream and through echo: tool calls and their
results, the step limit, and a client going away."""
from __future__ import annotations

import asyncio
import json

from agentdeck import hookimpl
from agentdeck.agtos.chat import chat_events, chat_once, history
from agentdeck.plugins.manager import get_plugin_manager

CURRENT_TIME = {"id": "call_1", "name": "current_time", "arguments": {"timezone": "Europe/Paris"}}


def posts(fake) -> list[dict]:
    """The chat requests' bodies the fake received."""
    return [r.json for r in fake.requests if r.method == "POST"]


async def test_a_scripted_tool_call_is_run_and_its_result_answered(chat_on_fake_openai):
    fake = chat_on_fake_openai
    fake.reply(tool_calls=[CURRENT_TIME])
    fake.reply("It is a quarter past three in Paris.")
    events = [e async for e in chat_events("paris", "What time is it in Paris?", None)]

    assert [e["type"] for e in events] == ["tool_start", "tool_result", "step", "content",
                                           "content", "content", "content", "content", "content",
                                           "content", "content", "step", "done"]
    start, result = events[0], events[1]
    assert start == {"type": "tool_start", "name": "current_time", "id": "call_1",
                     "input": {"timezone": "Europe/Paris"}}
    assert result["id"] == "call_1" and result["error"] is None
    assert result["result"]["timezone"] == "Europe/Paris" and result["durationMs"] >= 0
    assert events[2] == {**events[2], "step": 1, "finishReason": "tool_calls", "toolCallCount": 1}
    assert "".join(e["content"] for e in events if e["type"] == "content") == \
        "It is a quarter past three in Paris."
    done = events[-1]
    assert (done["stepCount"], done["toolCallCount"], done["sessionId"]) == (2, 1, "paris")

    first, second = posts(fake)
    # agtOS's own tools; owlette's fleet tools answer only inside a cortex conversation
    assert [t["function"]["name"] for t in first["tools"]] == ["current_time", "memory_search",
                                                               "schedule_reminder"]
    assert second["messages"][-2]["tool_calls"][0]["id"] == "call_1"
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["tool_call_id"] == "call_1"
    assert json.loads(tool_message["content"]) == result["result"]
    remembered = history("paris")["messages"]
    assert [(m["role"], m["content"]) for m in remembered] == [
        ("user", "What time is it in Paris?"), ("assistant", "It is a quarter past three in Paris.")]


async def test_chat_once_runs_the_same_loop_without_streaming(chat_on_fake_openai):
    fake = chat_on_fake_openai
    fake.reply(tool_calls=[CURRENT_TIME])
    fake.reply("Quarter past three.")
    body = await chat_once(None, "Time in Paris?")
    assert body["text"] == "Quarter past three."
    assert body["metadata"]["stepCount"] == 2 and body["metadata"]["toolCallCount"] == 1
    assert "sessionId" not in body, "a chat without sessionId is stateless"
    assert all(r.get("stream") in (None, False) for r in posts(fake))


class AddPlugin:
    @hookimpl
    def register_agent_tools(self, register):
        register("acme-add", "Adds a and b.",
                 {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                  "required": ["a", "b"]},
                 lambda a, b: a + b)


async def test_tools_registered_by_a_plugin_are_offered_and_their_errors_reach_the_model(
        chat_on_fake_openai):
    get_plugin_manager().register(AddPlugin(), name="acme-add")
    fake = chat_on_fake_openai
    fake.reply(tool_calls=[{"id": "a1", "name": "acme-add", "arguments": {"a": 2, "b": 3}},
                           {"id": "a2", "name": "acme-add", "arguments": {"a": "two"}}])
    fake.reply("2 + 3 = 5")
    events = [e async for e in chat_events(None, "add", None)]
    results = [e for e in events if e["type"] == "tool_result"]
    assert [(r["id"], r["result"]) for r in results] == [("a1", 5), ("a2", None)]
    assert "invalid arguments" in results[1]["error"]
    assert events[-1]["toolCallCount"] == 2
    assert {t["function"]["name"] for t in posts(fake)[0]["tools"]} == {"acme-add", "current_time",
                                                                        "memory_search", "schedule_reminder"}
    answered = [m for m in posts(fake)[1]["messages"] if m["role"] == "tool"]
    assert answered[0]["content"] == "5" and "invalid arguments" in json.loads(answered[1]["content"])["error"]


async def test_the_step_limit_ends_with_a_step_offering_no_tools(router, monkeypatch):
    monkeypatch.setenv("AGENTDECK_AGTOS_CHAT_MAX_STEPS", "3")
    events = [e async for e in chat_events(None, "/tool current_time {}", None)]
    steps = [e for e in events if e["type"] == "step"]
    assert [s["finishReason"] for s in steps] == ["tool_calls", "tool_calls", "stop"]
    assert events[-1]["type"] == "done"
    assert (events[-1]["stepCount"], events[-1]["toolCallCount"]) == (3, 2)
    # echo asks for the tool whenever it is offered: the last step had none to offer
    assert "".join(e["content"] for e in events if e["type"] == "content") == \
        "Echo: /tool current_time {}"


async def test_the_last_step_sends_no_tools_upstream(chat_on_fake_openai, monkeypatch):
    monkeypatch.setenv("AGENTDECK_AGTOS_CHAT_MAX_STEPS", "2")
    fake = chat_on_fake_openai
    fake.reply(tool_calls=[CURRENT_TIME])
    fake.reply(tool_calls=[{**CURRENT_TIME, "id": "call_2"}])  # ignored: no tools were offered
    body = await chat_once(None, "time?")
    assert body["metadata"]["stepCount"] == 2 and body["metadata"]["toolCallCount"] == 1
    assert "tools" in posts(fake)[0] and "tools" not in posts(fake)[1]


async def test_closing_the_stream_closes_the_upstream_call(chat_on_fake_openai):
    fake = chat_on_fake_openai
    fake.default_text = " ".join(["word"] * 200)
    fake.set_tokens_per_second(50)
    events = chat_events("gone", "talk for a while", None)
    assert (await events.__anext__())["type"] == "content"
    await events.__anext__()
    await events.aclose()
    waited = await fake.wait_until_streams_closed(timeout=1.0)
    assert waited < 0.5 and fake.streams[-1].completed is False
    assert history("gone")["sessionExpired"] is True, "a turn cut short is not remembered"


async def test_cancelling_the_consumer_closes_the_upstream_call(chat_on_fake_openai):
    fake = chat_on_fake_openai
    fake.default_text = " ".join(["word"] * 200)
    fake.set_tokens_per_second(50)
    received = []

    async def consume():
        async for event in chat_events(None, "talk", None):
            received.append(event)

    task = asyncio.create_task(consume())
    while len(received) < 2:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await fake.wait_until_streams_closed(timeout=1.0)
    assert fake.streams[-1].completed is False


async def test_visible_reasoning_streams_as_thinking_events(router):
    await router.put_slots({"chat": {"provider": "echo", "model": "echo-think"}})
    events = [e async for e in chat_events(None, "why", None)]
    kinds = [e["type"] for e in events]
    assert kinds.index("thinking") < kinds.index("content")
    assert "".join(e["content"] for e in events if e["type"] == "thinking") == "Thinking about: why"
