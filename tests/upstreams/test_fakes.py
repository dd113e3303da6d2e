"""The fake upstreams' own controls, which other suites and the benchmark rely on."""
from __future__ import annotations

import time

import httpx


async def test_pacing_fixed_reply_and_request_log(fake_openai):
    fake_openai.set_tokens_per_second(20)
    fake_openai.default_text = "one two three four five"
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    start = time.monotonic()
    async with httpx.AsyncClient(base_url=fake_openai.base_url) as client:
        response = await client.post("/chat/completions", json=body, headers={"X-Test": "1"})
    elapsed = time.monotonic() - start
    lines = [line for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    assert 0.3 <= elapsed < 2.0  # 7 chunks (role, 5 words, finish) are 6 pauses of 0.05 s
    assert fake_openai.last_request.json == body
    assert fake_openai.last_request.headers["x-test"] == "1"
    assert fake_openai.streams[-1].completed


async def test_scripted_outcomes_are_used_in_order_then_the_default(fake_ollama):
    fake_ollama.reply("first")
    fake_ollama.fail(503)
    body = {"model": "m", "stream": False, "messages": [{"role": "user", "content": "ping"}]}
    async with httpx.AsyncClient(base_url=fake_ollama.base_url) as client:
        answers = [await client.post("/api/chat", json=body) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 503, 200]
    assert answers[0].json()["message"]["content"] == "first"
    assert answers[2].json()["message"]["content"] == "Hello! You said: ping"


async def test_reset_forgets_everything(fake_anthropic):
    fake_anthropic.reply("x")
    fake_anthropic.token_delay = 1
    fake_anthropic.api_key = "k"
    fake_anthropic.reset()
    assert (fake_anthropic.requests, fake_anthropic.token_delay, fake_anthropic.api_key) == ([], 0.0, None)
    assert fake_anthropic.next_outcome([{"role": "user", "content": "q"}]).text == "Hello! You said: q"
