"""The chat operations' input rules, images, tasks, and what a client sees when providers fail."""
from __future__ import annotations

import base64
import uuid

import pytest

from agentdeck.agtos.chat import (ChatProcessingFailed, TaskProcessingFailed, chat_events, chat_once,
                                  run_task)
from agentdeck.errors import InvalidInput
from agentdeck.surfaces import SURFACES

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n fake image").decode()
IMAGE = {"content": PNG, "mimeType": "image/png", "encoding": "base64"}


@pytest.mark.parametrize("text", ["", "   \n", None])
async def test_empty_text_is_refused_with_the_references_message(router, text):
    with pytest.raises(InvalidInput, match="^Missing or empty required field: text$"):
        await chat_once("s", text)
    with pytest.raises(InvalidInput, match="^Missing or empty required field: text$"):
        chat_events("s", text, None)  # at the call, before any event: the handler can answer 400


async def test_text_is_at_most_10000_characters(router):
    assert (await chat_once(None, "a" * 10_000))["text"] == "Echo: " + "a" * 10_000
    with pytest.raises(InvalidInput, match="at most 10,000 characters"):
        await chat_once(None, "a" * 10_001)


async def test_images_for_a_provider_taking_none_are_refused(router):
    with pytest.raises(InvalidInput, match=r"^The chat model's provider \(echo\) does not accept images$"):
        chat_events(None, "what is this?", [IMAGE])


@pytest.mark.parametrize("file, problem", [
    ({**IMAGE, "mimeType": "application/pdf"}, "only images"),
    ({**IMAGE, "content": "not base64!"}, "not valid base64"),
    ({**IMAGE, "encoding": "utf-8"}, "encoding must be base64"),
    ("a string", "must be an object"),
])
async def test_malformed_files_are_refused(chat_on_fake_openai, file, problem):
    with pytest.raises(InvalidInput, match=problem):
        await chat_once(None, "look", [file])


async def test_images_go_to_an_openai_compatible_provider_as_image_parts(chat_on_fake_openai):
    fake = chat_on_fake_openai
    fake.reply("A tiny picture.")
    events = [e async for e in chat_events(None, "what is this?", [IMAGE])]
    assert events[-1]["type"] == "done"
    content = fake.last_request.json["messages"][-1]["content"]
    assert content == [{"type": "text", "text": "what is this?"},
                       {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]


async def test_images_go_to_claude_as_image_blocks(router, fake_anthropic, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_anthropic.base_url)
    await router.auto_configure("cloud", "none")
    await router.put_slots({"chat": {"provider": "claude", "model": "claude-fake-1"}})
    fake_anthropic.reset()
    fake_anthropic.reply("A tiny picture.")
    assert (await chat_once(None, "what is this?", [IMAGE]))["text"] == "A tiny picture."
    content = fake_anthropic.last_request.json["messages"][-1]["content"]
    assert content[1] == {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                      "data": PNG}}


async def test_a_failing_provider_with_a_fallback_is_no_error(chat_on_fake_openai, router):
    await router.put_slots({"chat": {"provider": "openai", "model": "gpt-fake", "fallback": "spare"},
                            "spare": {"provider": "echo", "model": "echo-1"}})
    chat_on_fake_openai.fail(500)
    assert (await chat_once(None, "still there?"))["text"] == "Echo: still there?"


async def test_when_every_provider_fails_the_error_says_which(chat_on_fake_openai):
    chat_on_fake_openai.fail(503)
    with pytest.raises(ChatProcessingFailed) as caught:
        await chat_once("s", "hello")
    assert caught.value.status == 500
    body = caught.value.body
    assert body["error"] == "Chat processing failed"
    assert body["message"].startswith("All providers failed: openai (gpt-fake): ")
    assert SURFACES["agtos"].error_body(500, caught.value.message, "/api/chat", caught.value.details) == body


async def test_the_stream_ends_with_an_error_event_when_every_provider_fails(chat_on_fake_openai):
    chat_on_fake_openai.fail(500)
    events = [e async for e in chat_events("s", "hello", None)]
    assert len(events) == 1
    assert events[0]["type"] == "error" and events[0]["error"] == "Chat processing failed"
    assert "openai (gpt-fake)" in events[0]["message"]


async def test_a_stream_failing_after_its_first_tokens_ends_with_an_error_event(chat_on_fake_openai):
    chat_on_fake_openai.fail(500, after_tokens=2)
    events = [e async for e in chat_events("s", "hello", None)]
    assert [e["type"] for e in events] == ["content", "content", "error"]
    assert events[-1]["message"].startswith("openai failed: ")


async def test_a_task_answers_with_a_task_id(router):
    body = await run_task("Summarise the news", platform="web")
    assert body["text"] == "Echo: Summarise the news"
    assert uuid.UUID(body["taskId"]) and body["metadata"]["stepCount"] == 1


async def test_a_task_needs_a_topic_and_names_itself_when_it_fails(chat_on_fake_openai):
    with pytest.raises(InvalidInput, match="^Missing or empty required field: topic$"):
        await run_task("  ")
    chat_on_fake_openai.fail(500)
    with pytest.raises(TaskProcessingFailed) as caught:
        await run_task("Summarise the news")
    body = caught.value.body
    assert body["error"] == "Task processing failed" and uuid.UUID(body["taskId"])
    assert "openai (gpt-fake)" in body["message"]
    assert SURFACES["agtos"].error_body(500, caught.value.message, "/api/tasks", caught.value.details) == body


async def test_an_empty_session_id_is_stateless_and_a_long_one_refused(router):
    assert "sessionId" not in await chat_once("", "hi")
    with pytest.raises(InvalidInput, match="sessionId"):
        await chat_once("s" * 129, "hi")


async def test_a_fault_of_agentdecks_own_ends_the_stream_with_an_error_event(router, monkeypatch):
    from agentdeck.agtos.chat import memory

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(memory, "remember_turn", broken)
    events = [e async for e in chat_events("s", "hello", None)]
    assert events[-1] == {"type": "error", "error": "Internal server error", "message": "RuntimeError"}
