"""Fake LLM upstreams served over real HTTP on loopback, for provider and surface tests.

``FakeOpenAI`` (Chat Completions, also standing in for OpenRouter / vLLM / llama.cpp),
``FakeAnthropic`` (Messages API) and ``FakeOllama`` (native API) speak their upstream's wire
format; fixtures for them are in ``tests.upstreams.fixtures``.
"""
from tests.upstreams.fake_anthropic import FakeAnthropic
from tests.upstreams.fake_ollama import FakeOllama
from tests.upstreams.fake_openai import FakeOpenAI
from tests.upstreams.scripted import Failure, FakeUpstream, RecordedRequest, Reply, StreamRecord

__all__ = ["Failure", "FakeAnthropic", "FakeOllama", "FakeOpenAI", "FakeUpstream",
           "RecordedRequest", "Reply", "StreamRecord"]
