"""The ``ollama`` provider: Ollama's native API (``/api/chat``, ``/api/tags``, ``/api/show``) over httpx.

The native API, unlike Ollama's ``/v1`` (which the ``openai`` provider serves), reports context
lengths and capabilities and takes model options such as ``num_ctx``. Config keys beyond the
common ones: ``keep_alive`` (how long Ollama keeps the model loaded, e.g. ``"5m"``) and
``api_key`` only when a proxy or ollama.com wants a bearer token. The default ``base_url`` is the
local daemon, ``http://127.0.0.1:11434``. Options: ``temperature``, ``top_p``, ``top_k``,
``seed``, ``stop``, ``max_tokens`` (sent as ``num_predict``), ``thinking`` (sent as ``think``),
``format``; any other key goes into Ollama's ``options`` object as given.
"""
from __future__ import annotations

import asyncio
import json

import httpx

from agentdeck import hookimpl
from agentdeck.providers import (Completion, ContentDelta, Done, ModelInfo, Provider, ThinkingDelta,
                                 ToolCall, Usage)
from agentdeck.providers.errors import (ProviderError, ProviderTimeout, ProviderUpstreamError,
                                        error_for, redact)
from agentdeck.providers.messages import (check_messages, openai_tools, parse_arguments, text_of,
                                          tool_calls_of)
from agentdeck.providers.wire import LineSplitter, parse_json

_FINISH = {"stop": "stop", "length": "length"}
_CAPABILITY_WORDS = {"completion": "chat", "tools": "tools", "vision": "vision",
                     "thinking": "thinking", "embedding": "embedding"}
_SHOW_CONCURRENCY = 4  # /api/show reads model files; a few at a time is enough


class OllamaProvider(Provider):
    """A local (or remote) Ollama daemon: NDJSON for ``stream``, one JSON object for ``complete``."""

    name = "ollama"
    default_base_url = "http://127.0.0.1:11434"

    def __init__(self, config: dict | None = None):
        super().__init__(config)
        headers = dict(self.config.get("headers") or {})
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout,
                                         headers=headers, follow_redirects=False,
                                         event_hooks=self.request_hooks())

    async def complete(self, messages, *, model=None, tools=None, options=None) -> Completion:
        """One ``/api/chat`` request with ``stream: false``."""
        body = self._request(messages, self.resolve_model(model), tools, options, stream=False)
        data = await self._json("POST", "/api/chat", body)
        message = data.get("message") or {}
        calls = _tool_calls(message, 0)
        return Completion(message.get("content") or "", calls, _usage(data),
                          _finish(data.get("done_reason"), calls), data.get("model") or body["model"],
                          message.get("thinking") or "")

    async def stream(self, messages, *, model=None, tools=None, options=None):
        """Stream ``/api/chat`` NDJSON lines; tool calls arrive whole and are emitted as they come."""
        body = self._request(messages, self.resolve_model(model), tools, options, stream=True)
        reader = _StreamReader(self)
        try:
            async with self._client.stream("POST", "/api/chat", json=body) as response:
                await self._raise_for_status(response)
                async for piece in response.aiter_bytes():
                    for event in reader.feed(piece):
                        yield event
                for event in reader.flush():
                    yield event
        except httpx.HTTPError as exc:
            raise self._translate(exc) from None
        usage = _usage(reader.last)
        if usage is not None:
            yield usage
        yield Done(_finish(reader.last.get("done_reason"), reader.calls), "".join(reader.text))

    async def list_models(self) -> list[ModelInfo]:
        """``/api/tags``, with context length and capabilities from ``/api/show`` per model."""
        tags = await self._json("GET", "/api/tags")
        names = [m.get("name") or m.get("model") for m in tags.get("models") or []]
        limit = asyncio.Semaphore(_SHOW_CONCURRENCY)

        async def describe(name: str) -> ModelInfo:
            async with limit:
                return await self._model_info(name)

        # gather cancels the lookups still running if list_models itself is cancelled.
        return list(await asyncio.gather(*(describe(n) for n in names if n)))

    async def validate_credentials(self) -> None:
        """``GET /api/tags``: answers 401 when a proxy or ollama.com rejects the key."""
        await self._json("GET", "/api/tags")

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    # -- the daemon itself (agtOS's Ollama operations) ------------------------------------------

    async def version(self) -> str:
        """``GET /api/version``: the daemon's version; a ProviderError when it cannot be reached."""
        return str((await self._json("GET", "/api/version")).get("version") or "")

    async def installed_models(self) -> list[dict]:
        """``GET /api/tags`` as Ollama lists them (name, model, size, digest, details)."""
        models = (await self._json("GET", "/api/tags")).get("models") or []
        return [m for m in models if isinstance(m, dict)]

    async def pull(self, model: str):
        """``POST /api/pull``: yields each NDJSON line of Ollama's progress stream as a dict (a
        line with ``error`` is Ollama's failure, after its 200)."""
        try:
            async with self._client.stream("POST", "/api/pull", json={"model": model, "stream": True},
                                           timeout=httpx.Timeout(self.timeout, read=None)) as response:
                await self._raise_for_status(response)
                lines = LineSplitter()
                async for piece in response.aiter_bytes():
                    for line in lines.feed(piece):
                        if data := _pull_line(line):
                            yield data
                for line in lines.flush():
                    if data := _pull_line(line):
                        yield data
        except httpx.HTTPError as exc:
            raise self._translate(exc) from None

    # -- internals ----------------------------------------------------------------------------

    async def _model_info(self, name: str) -> ModelInfo:
        try:
            show = await self._json("POST", "/api/show", {"model": name})
        except ProviderError:
            return ModelInfo(name, name)  # listed but not describable: keep it, fields unknown
        info = show.get("model_info") or {}
        context = next((v for k, v in info.items() if k.endswith(".context_length")), None)
        words = [_CAPABILITY_WORDS[c] for c in show.get("capabilities") or [] if c in _CAPABILITY_WORDS]
        return ModelInfo(name, name, context, None, tuple(words or ["chat"]))

    def _request(self, messages, model: str, tools, options, *, stream: bool) -> dict:
        body = {"model": model, "messages": ollama_messages(check_messages(messages)), "stream": stream}
        if tools:
            body["tools"] = openai_tools(tools)
        if self.config.get("keep_alive") is not None:
            body["keep_alive"] = self.config["keep_alive"]
        model_options = dict(options or {})
        if "thinking" in model_options:
            body["think"] = bool(model_options.pop("thinking"))
        if "format" in model_options:
            body["format"] = model_options.pop("format")
        if "max_tokens" in model_options:
            model_options["num_predict"] = model_options.pop("max_tokens")
        if model_options:
            body["options"] = model_options
        return body

    async def _json(self, method: str, path: str, body: dict | None = None) -> dict:
        try:
            response = await self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise self._translate(exc) from None
        await self._raise_for_status(response)
        try:
            data = response.json()
        except ValueError:
            raise ProviderUpstreamError(f"{path} answered with invalid JSON", provider=self.name) from None
        return data if isinstance(data, dict) else {}

    async def _raise_for_status(self, response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        await response.aread()
        try:
            message = response.json().get("error")
        except (ValueError, AttributeError):
            message = response.text[:500] or None
        raise error_for(self.name, response.status_code, message=message,
                        headers=response.headers, secret=self.api_key)

    def stream_error(self, message: str) -> ProviderError:
        """The error for a failure Ollama reports after the 200 status, or a broken line."""
        return error_for(self.name, None, message=message, secret=self.api_key)

    def _translate(self, exc: httpx.HTTPError) -> ProviderError:
        if isinstance(exc, httpx.TimeoutException):
            return ProviderTimeout(f"no answer within {self.timeout:g}s", provider=self.name)
        cause = redact(str(exc) or type(exc).__name__, self.api_key)
        return ProviderUpstreamError(f"cannot reach the upstream: {cause}", provider=self.name)


class _StreamReader:
    """Turns the NDJSON body of a streamed ``/api/chat`` into provider events."""

    def __init__(self, provider: OllamaProvider):
        self._provider = provider
        self._lines = LineSplitter()
        self.text: list[str] = []
        self.calls: list[ToolCall] = []
        self.last: dict = {}  # the ``done: true`` line, with the counts and the done reason

    def feed(self, piece: bytes) -> list:
        """The events of the lines completed by one piece of the body."""
        return self._events(self._lines.feed(piece))

    def flush(self) -> list:
        """The events of a last line not ended by a newline."""
        return self._events(self._lines.flush())

    def _events(self, lines: list[bytes]) -> list:
        out = []
        for line in lines:
            data = self._line(line)
            if data is None:
                continue
            message = data.get("message") or {}
            if message.get("thinking"):
                out.append(ThinkingDelta(message["thinking"]))
            if message.get("content"):
                self.text.append(message["content"])
                out.append(ContentDelta(message["content"]))
            calls = _tool_calls(message, len(self.calls))
            self.calls += calls
            out += calls
            if data.get("done"):
                self.last = data
        return out

    def _line(self, line: bytes) -> dict | None:
        if not line.strip():
            return None
        try:
            data = parse_json(line)
        except ValueError:
            raise ProviderUpstreamError("the stream sent a line that is not JSON",
                                        provider=self._provider.name) from None
        if isinstance(data, dict) and data.get("error"):
            # Ollama reports failures after the 200 status as one {"error": ...} line.
            raise self._provider.stream_error(str(data["error"]))
        return data if isinstance(data, dict) else None


def ollama_messages(messages: list[dict]) -> list[dict]:
    """Messages in Ollama's shape: text content, tool calls with object arguments, and each tool
    result labelled with the name of the tool it answers (Ollama matches results by name)."""
    names, out = {}, []
    for message in messages:
        item = {"role": message["role"], "content": text_of(message.get("content"))}
        if message["role"] == "assistant":
            calls = tool_calls_of(message)
            names.update({c.id: c.name for c in calls})
            if calls:
                item["tool_calls"] = [{"function": {"name": c.name, "arguments": c.arguments}}
                                      for c in calls]
        elif message["role"] == "tool" and message.get("tool_call_id") in names:
            item["tool_name"] = names[message["tool_call_id"]]
        for key in ("images", "thinking"):
            if key in message:
                item[key] = message[key]
        out.append(item)
    return out


def _tool_calls(message: dict, numbered_from: int) -> list[ToolCall]:
    calls = []
    for offset, raw in enumerate(message.get("tool_calls") or []):
        function = raw.get("function") or {}
        # Older Ollama versions send no id; a stable one lets the caller answer the call.
        call_id = raw.get("id") or f"call_{numbered_from + offset}"
        calls.append(ToolCall(call_id, function.get("name", ""),
                              parse_arguments(function.get("arguments"))))
    return calls


def _usage(data: dict) -> Usage | None:
    if "prompt_eval_count" not in data and "eval_count" not in data:
        return None
    return Usage(int(data.get("prompt_eval_count") or 0), int(data.get("eval_count") or 0))


def _finish(reason: str | None, calls: list[ToolCall]) -> str:
    if calls:
        return "tool_calls"
    return _FINISH.get(reason or "stop", reason or "stop")


def _pull_line(line: bytes) -> dict | None:
    try:
        data = json.loads(line) if line.strip() else None
    except ValueError:
        return {"error": "Ollama sent a line that is not JSON"}
    return data if isinstance(data, dict) else None


@hookimpl
def register_providers(register):
    """Register the Ollama provider."""
    register(OllamaProvider)
