"""The ``anthropic`` provider: the Messages API through the official ``anthropic`` client.

Config keys beyond the common ones: ``max_tokens`` (Anthropic requires one; default 4096, an
``options["max_tokens"]`` wins), ``max_retries`` (the client's own retries, default 2) and
``headers`` (extra request headers, e.g. ``anthropic-beta``). Options: ``temperature``,
``top_p``, ``top_k``, ``stop`` (sent as ``stop_sequences``), ``thinking`` (a token budget, or
Anthropic's own ``{"type": "enabled", "budget_tokens": n}``); other keys go into the body as given.
"""
from __future__ import annotations

from datetime import date, datetime


from agentdeck import hookimpl
from agentdeck.providers import (Completion, ContentDelta, Done, ModelInfo, Provider, ThinkingDelta,
                                 ToolCall, Usage)
from agentdeck.providers.base import config_int
from agentdeck.providers.errors import (ProviderError, ProviderTimeout, ProviderUpstreamError,
                                        ProviderURLRefused, error_for, redact)
from agentdeck.providers.messages import (check_messages, normalize_tools, parse_arguments,
                                          text_of, tool_calls_of)
from agentdeck.providers.wire import SSEDecoder, parse_json

_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "pause_turn": "stop", "max_tokens": "length",
           "model_context_window_exceeded": "length", "tool_use": "tool_calls", "refusal": "content_filter"}
_CAPABILITY_WORDS = {"image_input": "vision", "thinking": "thinking"}
_DEFAULT_THINKING_BUDGET = 1024


class AnthropicProvider(Provider):
    """Claude models over the Messages API: JSON for ``complete``, SSE events for ``stream``."""

    name = "anthropic"
    default_base_url = "https://api.anthropic.com"

    def __init__(self, config: dict | None = None):
        super().__init__(config)
        # Imported here, not at module level: the plugin manager imports every built-in at start-up
        # and the SDK takes seconds to import; processes that never call anthropic skip that cost.
        import anthropic
        import httpx2

        self._sdk = anthropic
        # The SDK's stream iterator lets its transport's errors through (a read timeout or a
        # dropped connection mid-stream), so those are translated too.
        self._errors = (anthropic.AnthropicError, httpx2.HTTPError)
        self._transport = httpx2
        self.max_tokens = config_int(self.config, "max_tokens", 4096)
        # An explicit key also stops the library from reading ANTHROPIC_* variables and profiles.
        self._client = anthropic.AsyncAnthropic(
            **self.sdk_client_options(anthropic.DefaultAsyncHttpxClient))

    async def complete(self, messages, *, model=None, tools=None, options=None) -> Completion:
        """One non-streaming Messages request."""
        body = self._request(messages, self.resolve_model(model), tools, options)
        try:
            message = await self._client.messages.create(**body)
        except self._errors as exc:
            raise self._translate(exc) from None
        text, thinking, calls = [], [], []
        for block in message.content:
            if block.type == "text":
                text.append(block.text)
            elif block.type == "thinking":
                thinking.append(block.thinking)
            elif block.type == "tool_use":
                calls.append(ToolCall(block.id, block.name, parse_arguments(block.input)))
        usage = Usage(message.usage.input_tokens or 0, message.usage.output_tokens or 0)
        return Completion("".join(text), calls, usage, _finish(message.stop_reason),
                          message.model or body["model"], "".join(thinking))

    async def stream(self, messages, *, model=None, tools=None, options=None):
        """Stream over SSE; each tool call is emitted when its content block closes.

        The client sends the request (auth, retries, HTTP errors); the body is read as raw SSE
        and each event parsed as plain JSON, without the client's model object per event.
        """
        body = self._request(messages, self.resolve_model(model), tools, options)
        state = _StreamState()
        decoder = SSEDecoder()
        try:
            request = self._client.messages.with_streaming_response.create(**body, stream=True)
            async with request as response:
                http_response = response.http_response
                async for piece in http_response.aiter_bytes():
                    for out in self._events(decoder.feed(piece), state, http_response):
                        yield out
                for out in self._events(decoder.flush(), state, http_response):
                    yield out
        except self._errors as exc:
            raise self._translate(exc) from None
        yield Usage(state.input_tokens, state.output_tokens)
        yield Done(_finish(state.stop_reason), "".join(state.text))

    async def list_models(self) -> list[ModelInfo]:
        """``GET /v1/models``, every page."""
        try:
            return [_model_info(item.to_dict()) async for item in self._client.models.list(limit=100)]
        except self._errors as exc:
            raise self._translate(exc) from None

    async def validate_credentials(self) -> None:
        """One page of ``GET /v1/models``: authenticated, free, fast."""
        try:
            await self._client.models.list(limit=1)
        except self._errors as exc:
            raise self._translate(exc) from None

    async def aclose(self) -> None:
        """Close the client's connection pool."""
        await self._client.close()

    # -- internals ----------------------------------------------------------------------------

    def _request(self, messages, model: str, tools, options) -> dict:
        system, converted = anthropic_messages(check_messages(messages))
        extra = dict(options or {})
        body = {"model": model, "messages": converted,
                "max_tokens": int(extra.pop("max_tokens", self.max_tokens))}
        if system:
            body["system"] = system
        if tools:
            body["tools"] = [{"name": t["name"], "description": t["description"],
                              "input_schema": t["parameters"]} for t in normalize_tools(tools)]
        if "stop" in extra:
            stop = extra.pop("stop")
            body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
        if "thinking" in extra:
            thinking = _thinking(extra.pop("thinking"))
            if thinking:
                body["thinking"] = thinking
        for key in ("metadata", "tool_choice"):
            if key in extra:
                body[key] = extra.pop(key)
        if extra:
            # temperature, top_p, top_k and anything newer: sent as given, whether or not this
            # client version still has a parameter for them.
            body["extra_body"] = extra
        return body

    def _events(self, sse: list[tuple[str | None, bytes]], state: "_StreamState", response) -> list:
        """The provider events for some SSE events; an ``error`` event raises."""
        out = []
        for name, data in sse:
            if name == "ping" or not data:
                continue
            try:
                event = parse_json(data)
            except ValueError:
                if name == "error":
                    raise self._stream_error({}, data.decode("utf-8", "replace"), response) from None
                raise ProviderUpstreamError("the stream sent an event that is not JSON",
                                            provider=self.name) from None
            if not isinstance(event, dict):
                continue
            if name == "error" or event.get("type") == "error":
                raise self._stream_error(event, str(event), response)
            out.extend(state.feed(event))
        return out

    def _stream_error(self, body: dict, fallback: str, response) -> ProviderError:
        """An ``error`` event inside a 200 stream (e.g. ``overloaded_error``): no HTTP status."""
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        return error_for(self.name, None, error_type=error.get("type"),
                         message=error.get("message") or fallback, headers=response.headers,
                         secret=self.api_key)

    def _translate(self, exc: Exception) -> ProviderError:
        """The ``ProviderError`` for an exception of the anthropic library."""
        if isinstance(exc, (self._sdk.APITimeoutError, self._transport.TimeoutException)):
            return ProviderTimeout(f"no answer within {self.timeout:g}s", provider=self.name)
        if isinstance(exc.__cause__, ProviderURLRefused):
            return exc.__cause__  # raised by the request hook, wrapped by the client
        if isinstance(exc, (self._sdk.APIConnectionError, self._transport.HTTPError)):
            cause = redact(str(exc.__cause__ or exc), self.api_key)
            return ProviderUpstreamError(f"cannot reach the upstream: {cause}", provider=self.name)
        if not isinstance(exc, self._sdk.APIStatusError):
            return ProviderUpstreamError(redact(str(exc), self.api_key), provider=self.name)
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        # An ``error`` event inside a 200 stream arrives with the stream's status; it is not one.
        status = exc.status_code if exc.status_code >= 400 else None
        return error_for(self.name, status, error_type=error.get("type"),
                         message=error.get("message") or exc.message,
                         headers=exc.response.headers, secret=self.api_key)


class _StreamState:
    """Turns Anthropic stream events (parsed JSON) into provider events, keeping what ``Done``
    needs."""

    def __init__(self):
        self.text: list[str] = []
        self.tools: dict[int, dict] = {}
        self.input_tokens = self.output_tokens = 0
        self.stop_reason: str | None = None

    def feed(self, event: dict) -> list:
        """The provider events for one Anthropic stream event (often none)."""
        kind = event.get("type")
        if kind == "content_block_delta":
            return self._delta(event.get("index"), event.get("delta") or {})
        if kind == "message_start":
            self._count((event.get("message") or {}).get("usage"))
        elif kind == "content_block_start":
            block = event.get("content_block") or {}
            if block.get("type") == "tool_use":
                self.tools[event.get("index")] = {"id": block.get("id", ""),
                                                  "name": block.get("name", ""), "json": []}
        elif kind == "content_block_stop" and event.get("index") in self.tools:
            call = self.tools.pop(event["index"])
            return [ToolCall(call["id"], call["name"], parse_arguments("".join(call["json"])))]
        elif kind == "message_delta":
            self.stop_reason = (event.get("delta") or {}).get("stop_reason") or self.stop_reason
            self._count(event.get("usage"))
        return []

    def _delta(self, index, delta: dict) -> list:
        kind = delta.get("type")
        if kind == "text_delta":
            text = delta.get("text") or ""
            self.text.append(text)
            return [ContentDelta(text)]
        if kind == "thinking_delta":
            return [ThinkingDelta(delta.get("thinking") or "")]
        if kind == "input_json_delta" and index in self.tools:
            self.tools[index]["json"].append(delta.get("partial_json") or "")
        return []

    def _count(self, usage) -> None:
        # message_start carries the input count; message_delta the running output count.
        if not isinstance(usage, dict):
            return
        if usage.get("input_tokens"):
            self.input_tokens = usage["input_tokens"]
        if usage.get("output_tokens") is not None:
            self.output_tokens = usage["output_tokens"]


def anthropic_messages(messages: list[dict]) -> tuple[str, list[dict]]:
    """(system prompt, Messages API turns): system messages are lifted out, assistant tool calls
    become ``tool_use`` blocks, and consecutive ``tool`` messages one user turn of ``tool_result``s."""
    system, turns = [], []
    for message in messages:
        role = message["role"]
        if role == "system":
            system.append(text_of(message.get("content")))
        elif role == "tool":
            result = {"type": "tool_result", "tool_use_id": message.get("tool_call_id", ""),
                      "content": text_of(message.get("content"))}
            if turns and turns[-1]["role"] == "user" and _all_tool_results(turns[-1]["content"]):
                turns[-1]["content"].append(result)
            else:
                turns.append({"role": "user", "content": [result]})
        elif role == "assistant":
            turns.append({"role": "assistant", "content": _assistant_content(message)})
        else:
            turns.append({"role": "user", "content": message.get("content") or ""})
    return "\n\n".join(s for s in system if s), turns


def _assistant_content(message: dict):
    calls = tool_calls_of(message)
    text = text_of(message.get("content"))
    if not calls:
        return text
    blocks = [{"type": "text", "text": text}] if text else []
    return blocks + [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
                     for c in calls]


def _all_tool_results(content) -> bool:
    return isinstance(content, list) and all(b.get("type") == "tool_result" for b in content)


def _thinking(value) -> dict | None:
    if isinstance(value, dict):
        return value
    if value is True:
        return {"type": "enabled", "budget_tokens": _DEFAULT_THINKING_BUDGET}
    if isinstance(value, (int, float)) and value > 0:
        return {"type": "enabled", "budget_tokens": int(value)}
    return None


def _finish(reason: str | None) -> str:
    return _FINISH.get(reason or "end_turn", reason or "stop")


def _model_info(data: dict) -> ModelInfo:
    capabilities = ["chat", "tools"]
    for key, word in _CAPABILITY_WORDS.items():
        if ((data.get("capabilities") or {}).get(key) or {}).get("supported"):
            capabilities.append(word)
    retires = data.get("retires_at") or data.get("deprecated_at")
    return ModelInfo(data["id"], data.get("display_name") or data["id"],
                     data.get("max_input_tokens"), data.get("max_tokens"), tuple(capabilities),
                     None, _iso_date(retires))


def _iso_date(value) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value:
        return value[:10]
    return None


@hookimpl
def register_providers(register):
    """Register the Anthropic provider."""
    register(AnthropicProvider)
