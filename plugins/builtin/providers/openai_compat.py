"""The ``openai`` provider: OpenAI-compatible Chat Completions through the official ``openai`` client.

One class serves api.openai.com, OpenRouter, vLLM, llama.cpp's server, LM Studio and Ollama's
``/v1``: only ``base_url`` differs. Config keys beyond the common ones: ``max_retries`` (the
client's own retries of 429 / 5xx / connection errors, default 2), ``organization``, ``project``,
``headers`` (extra request headers, e.g. OpenRouter's ``HTTP-Referer`` / ``X-Title``),
``stream_usage`` (ask for a usage chunk, default true; turn off for servers that reject
``stream_options``) and ``account_api`` (``openrouter`` to read credits; detected from the host).
"""
from __future__ import annotations

import json
import ssl

from agentdeck import hookimpl
from agentdeck.providers import (AccountInfo, Completion, ContentDelta, Done, ModelInfo, Pricing,
                                 Provider, ThinkingDelta, ToolCall, Usage)
from agentdeck.providers.errors import (ProviderAuthError, ProviderBadRequest, ProviderError,
                                        ProviderTimeout, ProviderUpstreamError, ProviderURLRefused,
                                        error_for, redact)
from agentdeck.providers.messages import (check_messages, openai_tools, parse_arguments,
                                          text_of, tool_calls_of)
from agentdeck.providers.wire import SSEDecoder, drain, parse_json

_FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls",
           "function_call": "tool_calls", "content_filter": "content_filter"}


class OpenAICompatProvider(Provider):
    """Chat Completions over HTTP: JSON for ``complete``, SSE for ``stream``."""

    name = "openai"
    default_base_url = "https://api.openai.com/v1"

    def __init__(self, config: dict | None = None):
        super().__init__(config)
        # Imported here, not at module level: the plugin manager imports every built-in at start-up
        # and the SDK takes seconds to import; processes that never call openai skip that cost.
        import httpx2
        import openai

        self._sdk = openai
        # Read errors while the raw body streams come from the client's transport directly.
        self._transport_errors = (httpx2.HTTPError, ssl.SSLError)
        self._timeout_errors = (httpx2.TimeoutException,)
        self.stream_usage = bool(self.config.get("stream_usage", True))
        self.account_api = self.config.get("account_api") or (
            "openrouter" if self.base_host.endswith("openrouter.ai") else None)
        self._client = openai.AsyncOpenAI(**self.sdk_client_options(openai.DefaultAsyncHttpxClient))
        # Set after construction, because the constructor reads OPENAI_ORG_ID / OPENAI_PROJECT_ID
        # when given None, and the operator's organization is not a client's business.
        self._client.organization = self.config.get("organization")
        self._client.project = self.config.get("project")

    async def complete(self, messages, *, model=None, tools=None, options=None) -> Completion:
        """One non-streaming Chat Completions request."""
        body = self._request(messages, self.resolve_model(model), tools, options)
        try:
            response = await self._client.chat.completions.create(**body)
        except self._sdk.OpenAIError as exc:
            raise self._translate(exc) from None
        if not response.choices:
            raise ProviderUpstreamError("the upstream answered without choices", provider=self.name)
        choice = response.choices[0]
        message = choice.message
        calls = [ToolCall(c.id, c.function.name, parse_arguments(c.function.arguments))
                 for c in message.tool_calls or [] if getattr(c, "function", None)]
        usage = _usage(response.usage)
        return Completion(message.content or "", calls, usage, _finish(choice.finish_reason, calls),
                          response.model or body["model"], _reasoning(message))

    async def stream(self, messages, *, model=None, tools=None, options=None):
        """Stream over SSE; tool-call fragments are assembled and emitted before ``Usage``.

        The client sends the request (auth, retries, HTTP errors); the body is read as raw SSE
        and each chunk parsed as plain JSON, without the client's model object per chunk.
        """
        body = self._request(messages, self.resolve_model(model), tools, options)
        if self.stream_usage:
            body["stream_options"] = {"include_usage": True}
        reader = _StreamReader(self)
        try:
            request = self._client.chat.completions.with_streaming_response.create(**body, stream=True)
            async with request as response:
                chunks = response.http_response.aiter_bytes()
                async for piece in chunks:
                    for event in reader.feed(piece):
                        yield event
                    if reader.done:
                        await drain(chunks)
                        break
                else:
                    for event in reader.flush():
                        yield event
        except self._sdk.OpenAIError as exc:
            raise self._translate(exc) from None
        except self._transport_errors as exc:
            raise self._transport_error(exc) from None
        for event in reader.closing_events():
            yield event

    async def list_models(self) -> list[ModelInfo]:
        """``GET /models``, reading OpenRouter's, vLLM's and llama.cpp's extra fields when present."""
        try:
            page = await self._client.models.list()
        except self._sdk.OpenAIError as exc:
            raise self._translate(exc) from None
        return [model_info(item.to_dict()) for item in page.data]

    async def validate_credentials(self) -> None:
        """``GET /models`` with the key: the cheapest authenticated call every server has."""
        await self.list_models()

    async def account_info(self) -> AccountInfo | None:
        """OpenRouter's ``/credits`` (balance) and ``/key`` (limit, label); None elsewhere."""
        if self.account_api != "openrouter":
            return None
        credits, credits_error = await self._get_data("/credits")
        key, key_error = await self._get_data("/key")
        if credits is None and key is None:
            raise credits_error or key_error
        return _openrouter_account(credits or {}, key or {})

    async def aclose(self) -> None:
        """Close the client's connection pool."""
        await self._client.close()

    # -- internals ----------------------------------------------------------------------------

    async def _get_data(self, path: str) -> tuple[dict | None, ProviderError | None]:
        try:
            payload = await self._client.get(path, cast_to=object)
        except self._sdk.OpenAIError as exc:
            error = self._translate(exc)
            if isinstance(error, (ProviderAuthError, ProviderBadRequest)):
                return None, error
            raise error from None
        data = payload.get("data") if isinstance(payload, dict) else None
        return (data if isinstance(data, dict) else None), None

    def _request(self, messages, model: str, tools, options) -> dict:
        body = {"model": model, "messages": [_openai_message(m) for m in check_messages(messages)]}
        if tools:
            body["tools"] = openai_tools(tools)
        if options:
            # Options are Chat Completions fields (temperature, max_tokens, reasoning_effort, ...);
            # extra_body sends them as given, including ones this client version does not know.
            body["extra_body"] = dict(options)
        return body

    def _translate(self, exc: Exception) -> ProviderError:
        """The ``ProviderError`` for an exception of the openai library."""
        if isinstance(exc, self._sdk.APITimeoutError):
            return ProviderTimeout(f"no answer within {self.timeout:g}s", provider=self.name)
        if isinstance(exc.__cause__, ProviderURLRefused):
            return exc.__cause__  # raised by the request hook, wrapped by the client
        if isinstance(exc, self._sdk.APIConnectionError):
            cause = redact(str(exc.__cause__ or exc), self.api_key)
            return ProviderUpstreamError(f"cannot reach the upstream: {cause}", provider=self.name)
        if not isinstance(exc, self._sdk.APIError):
            return ProviderUpstreamError(redact(str(exc), self.api_key), provider=self.name)
        body = exc.body if isinstance(exc.body, dict) else {}
        response = getattr(exc, "response", None)
        return self.error_from_body(getattr(exc, "status_code", None), body, exc.message,
                                    response.headers if response is not None else None)

    def _transport_error(self, exc: Exception) -> ProviderError:
        """The ``ProviderError`` for a transport failure while the body streams."""
        if isinstance(exc, self._timeout_errors):
            return ProviderTimeout(f"no answer within {self.timeout:g}s", provider=self.name)
        cause = redact(str(exc), self.api_key)
        return ProviderUpstreamError(f"cannot reach the upstream: {cause}", provider=self.name)

    def error_from_body(self, status: int | None, body: dict, fallback: str,
                        headers=None) -> ProviderError:
        """The ``ProviderError`` for an OpenAI-style error object (a response's or one sent
        inside a 200 stream, whose status, if any, is its ``code``)."""
        code = body.get("code")
        if status is None and str(code or "").isdigit():
            status = int(code)  # errors inside a stream carry the status as their code
        error_type = code if isinstance(code, str) and not code.isdigit() else body.get("type")
        return error_for(self.name, status, error_type=error_type,
                         message=body.get("message") or fallback, headers=headers,
                         secret=self.api_key)


class _StreamReader:
    """Turns the raw SSE body of a Chat Completions stream into provider events."""

    def __init__(self, provider: OpenAICompatProvider):
        self._provider = provider
        self._decoder = SSEDecoder()
        self.text: list[str] = []
        self.calls = _ToolCallAssembler()
        self.usage: Usage | None = None
        self.finish: str | None = None
        self.done = False  # the upstream sent ``[DONE]``

    def feed(self, piece: bytes) -> list:
        """The events completed by one piece of the body."""
        return self._events(self._decoder.feed(piece))

    def flush(self) -> list:
        """The events of a last SSE event not followed by a blank line."""
        return self._events(self._decoder.flush())

    def closing_events(self) -> list:
        """The assembled tool calls, ``Usage`` when reported, and ``Done``."""
        finished = self.calls.finished()
        usage = [self.usage] if self.usage is not None else []
        return [*finished, *usage, Done(_finish(self.finish, finished), "".join(self.text))]

    def _events(self, sse: list[tuple[str | None, bytes]]) -> list:
        out = []
        for _, data in sse:
            if self.done:
                break
            if data.startswith(b"[DONE]"):
                self.done = True
                break
            out.extend(self._chunk_events(self._chunk(data)))
        return out

    def _chunk(self, data: bytes) -> dict:
        try:
            chunk = parse_json(data)
        except ValueError:
            raise ProviderUpstreamError("the stream sent an event that is not JSON",
                                        provider=self._provider.name) from None
        if not isinstance(chunk, dict):
            return {}
        error = chunk.get("error")
        if error:
            # As the client reports it: the error object's message, else a generic one.
            body = error if isinstance(error, dict) else {}
            message = body.get("message")
            fallback = message if isinstance(message, str) and message else "An error occurred during streaming"
            raise self._provider.error_from_body(None, body, fallback)
        return chunk

    def _chunk_events(self, chunk: dict) -> list:
        """The deltas in one chunk; tool-call fragments, usage and finish reason go to the side."""
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.usage = Usage(usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0)
        out = []
        for choice in (chunk.get("choices") or [])[:1]:
            delta = choice.get("delta")
            if isinstance(delta, dict):
                # vLLM and DeepSeek send ``reasoning_content``; OpenRouter sends ``reasoning``.
                thinking = delta.get("reasoning_content") or delta.get("reasoning")
                if thinking and isinstance(thinking, str):
                    out.append(ThinkingDelta(thinking))
                content = delta.get("content")
                if content and isinstance(content, str):
                    self.text.append(content)
                    out.append(ContentDelta(content))
                for fragment in delta.get("tool_calls") or []:
                    self.calls.add(fragment)
            if choice.get("finish_reason"):
                self.finish = choice["finish_reason"]
        return out


class _ToolCallAssembler:
    """Joins streamed tool-call fragments (keyed by ``index``) into whole ``ToolCall`` events."""

    def __init__(self):
        self._calls: dict[int, dict] = {}

    def add(self, fragment: dict) -> None:
        """Merge one ``delta.tool_calls`` item."""
        call = self._calls.setdefault(fragment.get("index") or 0,
                                      {"id": "", "name": "", "arguments": []})
        if fragment.get("id"):
            call["id"] = fragment["id"]
        function = fragment.get("function")
        if isinstance(function, dict):
            if function.get("name"):
                call["name"] += function["name"]
            if function.get("arguments"):
                call["arguments"].append(function["arguments"])

    def finished(self) -> list[ToolCall]:
        """The assembled calls in index order."""
        return [ToolCall(c["id"], c["name"], parse_arguments("".join(c["arguments"])))
                for _, c in sorted(self._calls.items()) if c["name"]]


def _openai_message(message: dict) -> dict:
    role = message["role"]
    if role == "tool":
        return {"role": "tool", "tool_call_id": message.get("tool_call_id", ""),
                "content": text_of(message.get("content"))}
    out = {"role": role, "content": message.get("content")}
    calls = tool_calls_of(message) if role == "assistant" else []
    if calls:
        out["tool_calls"] = [{"id": c.id, "type": "function",
                              "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
                             for c in calls]
    if out["content"] is None and not calls:
        out["content"] = ""
    return out


def _reasoning(obj) -> str:
    # vLLM and DeepSeek send ``reasoning_content``; OpenRouter sends ``reasoning``.
    return getattr(obj, "reasoning_content", None) or getattr(obj, "reasoning", None) or ""


def _usage(usage) -> Usage | None:
    if usage is None:
        return None
    return Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0)


def _finish(reason: str | None, calls: list[ToolCall]) -> str:
    if calls and reason in (None, "stop"):
        return "tool_calls"  # some compatible servers say "stop" after a tool call
    return _FINISH.get(reason or "stop", reason or "stop")


def model_info(data: dict) -> ModelInfo:
    """A ``ModelInfo`` from one ``/models`` entry, whichever OpenAI-compatible server sent it."""
    supported = set(data.get("supported_parameters") or [])
    modalities = set((data.get("architecture") or {}).get("input_modalities") or [])
    capabilities = ["chat"]
    capabilities += ["tools"] if "tools" in supported else []
    capabilities += ["vision"] if "image" in modalities else []
    capabilities += ["thinking"] if supported & {"reasoning", "include_reasoning"} else []
    context = (data.get("context_length") or data.get("max_model_len") or data.get("context_window")
               or (data.get("meta") or {}).get("n_ctx_train"))
    max_output = ((data.get("top_provider") or {}).get("max_completion_tokens")
                  or data.get("max_completion_tokens"))
    return ModelInfo(data["id"], data.get("name") or data["id"], _int(context), _int(max_output),
                     tuple(capabilities), _pricing(data.get("pricing")),
                     data.get("expiration_date") or data.get("deprecation_date"))


def _pricing(pricing) -> Pricing | None:
    # OpenRouter prices are US dollars per token, as strings.
    if not isinstance(pricing, dict):
        return None
    per_million = [_float(pricing.get(k)) for k in ("prompt", "completion")]
    if per_million == [None, None]:
        return None
    return Pricing(*[None if p is None else round(p * 1_000_000, 6) for p in per_million])


def _openrouter_account(credits: dict, key: dict) -> AccountInfo:
    total, used = _float(credits.get("total_credits")), _float(credits.get("total_usage"))
    balance = total - used if total is not None and used is not None else _float(key.get("limit_remaining"))
    return AccountInfo(balance=balance, total_credits=total,
                       total_usage=used if used is not None else _float(key.get("usage")),
                       limit=_float(key.get("limit")), label=key.get("label"),
                       raw={"credits": credits, "key": key})


def _float(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _int(value) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


@hookimpl
def register_providers(register):
    """Register the OpenAI-compatible provider."""
    register(OpenAICompatProvider)
