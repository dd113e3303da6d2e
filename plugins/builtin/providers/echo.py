"""The ``echo`` provider: deterministic, offline, no key — what a fresh install answers with.

The reply to a conversation is ``prefix + <text of the last user message>`` (prefix ``"Echo: "``),
streamed one word at a time (each ``ContentDelta`` keeps its leading space) with ``delay`` seconds
before every word after the first. Model ``echo-think`` first streams the thinking
``"Thinking about: <text>"``. When the last user message is ``/tool NAME {json}`` and a tool
``NAME`` is offered, the reply is that one tool call instead (finish reason ``tool_calls``).
Usage counts words: every message's text in, the reply's text out.
"""
from __future__ import annotations

import asyncio
import json
import re

from agentdeck import hookimpl
from agentdeck.providers import (ContentDelta, Done, ModelInfo, Pricing, Provider, ThinkingDelta,
                                 ToolCall, Usage)
from agentdeck.providers.base import config_float
from agentdeck.providers.errors import ProviderBadRequest
from agentdeck.providers.messages import check_messages, last_user_text, normalize_tools, text_of

_WORD = re.compile(r"\s*\S+")
_TOOL_COMMAND = re.compile(r"^/tool\s+(?P<name>[\w.-]+)\s*(?P<args>\{.*\})?\s*$", re.DOTALL)

MODELS = (
    ModelInfo("echo-1", "Echo", context_length=32768, max_output=32768, capabilities=("chat", "tools"),
              pricing=Pricing(0.0, 0.0)),
    ModelInfo("echo-think", "Echo (thinking)", context_length=32768, max_output=32768,
              capabilities=("chat", "tools", "thinking"), pricing=Pricing(0.0, 0.0)),
)


class EchoProvider(Provider):
    """Answers from the prompt itself; config keys ``delay`` (seconds, default 0.01), ``prefix``."""

    name = "echo"
    default_model = "echo-1"

    def __init__(self, config: dict | None = None):
        super().__init__(config)
        self.delay = config_float(self.config, "delay", 0.01)
        self.prefix = str(self.config.get("prefix", "Echo: "))

    async def stream(self, messages, *, model=None, tools=None, options=None):
        """Stream the echo reply word by word (see the module docstring for the exact rule)."""
        model = self._known_model(model)
        messages = check_messages(messages)
        text = last_user_text(messages)
        words_in = sum(len(text_of(m.get("content")).split()) for m in messages)
        call = _tool_call(text, normalize_tools(tools))
        if call is not None:
            yield call
            yield Usage(words_in, 0)
            yield Done("tool_calls", "")
            return
        if model == "echo-think":
            async for delta in self._words(f"Thinking about: {text}", ThinkingDelta):
                yield delta
        reply = self.prefix + text
        async for delta in self._words(reply, ContentDelta):
            yield delta
        yield Usage(words_in, len(reply.split()))
        yield Done("stop", reply)

    async def _words(self, text: str, event_class):
        for index, word in enumerate(_WORD.findall(text)):
            if index and self.delay:
                await asyncio.sleep(self.delay)
            yield event_class(word)

    async def list_models(self) -> list[ModelInfo]:
        """The two echo models."""
        return list(MODELS)

    def _known_model(self, model: str | None) -> str:
        chosen = self.resolve_model(model)
        if chosen not in {m.id for m in MODELS}:
            raise ProviderBadRequest(f"unknown model {chosen!r}", provider=self.name)
        return chosen


def _tool_call(text: str, tools: list[dict]) -> ToolCall | None:
    match = _TOOL_COMMAND.match(text.strip())
    if not match or match["name"] not in {t["name"] for t in tools}:
        return None
    try:
        arguments = json.loads(match["args"]) if match["args"] else {}
    except ValueError:
        raise ProviderBadRequest(f"/tool arguments are not valid JSON: {match['args']!r}") from None
    return ToolCall("echo-call-1", match["name"], arguments)


@hookimpl
def register_providers(register):
    """Register the echo provider."""
    register(EchoProvider)
