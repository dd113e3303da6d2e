"""What every fake upstream shares: scripted replies and failures, pacing, and a request log.

A test scripts the next outcomes (``fake.reply(...)``, ``fake.fail(...)``, a raw body with
``fake.stream_raw(...)``), sets the pacing (``fake.token_delay`` or
``fake.set_tokens_per_second``, ``fake.response_delay``) or a fixed reply for every unscripted
request (``fake.default_text``), and reads back ``fake.requests`` (what the client sent) and
``fake.streams`` (when each streamed response opened and closed, and whether it ran to the end or
the client went away). With nothing scripted, a fake answers ``"Hello! You said: <last user text>"``.
"""
from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from tests.support.servers import ThreadedServer

_TOKEN = re.compile(r"\s*\S+|\s+")


def tokens_of(text: str) -> list[str]:
    """Split text into word "tokens", each keeping its leading whitespace; they join back exactly."""
    return _TOKEN.findall(text)


@dataclass
class ScriptedToolCall:
    """A tool call the fake model makes."""

    id: str
    name: str
    arguments: dict


@dataclass
class Reply:
    """One scripted answer; ``usage`` defaults to word counts of the prompt and of the reply."""

    text: str = ""
    tool_calls: list[ScriptedToolCall] = field(default_factory=list)
    thinking: str = ""
    finish_reason: str | None = None
    usage: tuple[int, int] | None = None


@dataclass
class Failure:
    """One scripted error: ``status`` and ``body`` as the upstream sends them.

    With ``after_tokens`` set, the response starts as a normal 200 stream and the error arrives in
    the stream after that many content tokens (how upstreams report overloads mid-stream); with
    ``body`` None as well, the connection just breaks off there (``FakeUpstream.drop``).
    """

    status: int
    body: object
    headers: dict = field(default_factory=dict)
    after_tokens: int | None = None


@dataclass
class RawStream:
    """One scripted streamed body sent exactly as given, piece by piece (paced like tokens)."""

    pieces: list[bytes]


@dataclass
class RecordedRequest:
    """A request the fake received."""

    method: str
    path: str
    headers: dict
    query: dict
    json: object
    client_port: int | None = None  # the same port on two requests: one kept-alive connection


@dataclass
class StreamRecord:
    """One streamed response: ``completed`` is False when the client went away first."""

    path: str
    opened_at: float
    closed_at: float | None = None
    completed: bool = False

    @property
    def open(self) -> bool:
        """True while the server is still sending this stream."""
        return self.closed_at is None


class FakeUpstream:
    """Base for the fakes: subclasses supply ``routes()`` in their upstream's wire format."""

    #: The agentdeck provider that speaks this upstream's protocol, and its model by default.
    provider_name = ""
    default_model = ""
    default_models: list[dict] = []
    unauthorized_message = "unauthorized"
    stream_media_type = "text/event-stream"
    streams_by_default = False  # whether a chat request without "stream" streams

    def __init__(self):
        self._lock = threading.Lock()
        self.app = Starlette(routes=self.routes())
        self.server: ThreadedServer | None = None
        self.reset()

    # -- test-facing controls -------------------------------------------------------------

    def reset(self) -> None:
        """Forget the script, the logs and the pacing; back to the defaults."""
        with self._lock:
            self._script: deque = deque()
            self.requests: list[RecordedRequest] = []
            self.streams: list[StreamRecord] = []
            self.disconnects: list[str] = []
        self.token_delay = 0.0
        self.response_delay = 0.0
        self.default_text: str | None = None  # the reply when nothing is scripted (None: echo)
        self.api_key: str | None = None
        self.models: list[dict] = [dict(m) for m in self.default_models]

    def reply(self, text: str = "", **kwargs) -> Reply:
        """Queue the next answer; keyword arguments are ``Reply`` fields."""
        calls = [c if isinstance(c, ScriptedToolCall) else ScriptedToolCall(**c)
                 for c in kwargs.pop("tool_calls", [])]
        reply = Reply(text=text, tool_calls=calls, **kwargs)
        with self._lock:
            self._script.append(reply)
        return reply

    def fail(self, status: int, body: object = None, *, headers: dict | None = None,
             after_tokens: int | None = None, **error) -> Failure:
        """Queue an error; without ``body``, ``error_body(status, **error)`` builds one."""
        failure = Failure(status, body if body is not None else self.error_body(status, **error),
                          dict(headers or {}), after_tokens)
        with self._lock:
            self._script.append(failure)
        return failure

    def provider_config(self, **overrides) -> dict:
        """A config for ``get_provider(self.provider_name, ...)`` aimed at this fake: no client
        retries (tests see each failure once) and a short timeout; ``overrides`` win."""
        config = {"base_url": self.base_url, "model": self.default_model, "max_retries": 0,
                  "timeout": 5.0}
        if self.api_key:
            config["api_key"] = self.api_key
        return {**config, **overrides}

    @property
    def base_url(self) -> str:
        """What the matching provider takes as ``base_url``."""
        return self.url

    def stream_raw(self, *pieces: bytes | str) -> RawStream:
        """Queue a streamed answer whose body is ``pieces`` as they are: for wire-format corner
        cases (lines split across reads, CRLF, comments, a broken event)."""
        raw = RawStream([p.encode() if isinstance(p, str) else p for p in pieces])
        with self._lock:
            self._script.append(raw)
        return raw

    def drop(self, after_tokens: int = 2) -> Failure:
        """Queue a stream that breaks off: the connection closes mid-body after ``after_tokens``."""
        failure = Failure(0, None, {}, after_tokens)
        with self._lock:
            self._script.append(failure)
        return failure

    def set_tokens_per_second(self, rate: float) -> None:
        """Pace streamed tokens at ``rate`` per second (0 or less: as fast as possible)."""
        self.token_delay = 1.0 / rate if rate > 0 else 0.0

    @property
    def url(self) -> str:
        """The server's root URL."""
        if self.server is None:
            raise RuntimeError("the fake upstream is not started")
        return self.server.url

    @property
    def open_streams(self) -> list[StreamRecord]:
        """Streams the server is still sending."""
        return [s for s in self.streams if s.open]

    async def wait_until_streams_closed(self, timeout: float = 1.0) -> float:
        """Wait until no stream is open; return how long that took, or raise ``TimeoutError``."""
        start = time.monotonic()
        while self.open_streams:
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"{len(self.open_streams)} stream(s) still open after {timeout}s")
            await asyncio.sleep(0.005)
        return time.monotonic() - start

    def start(self) -> "FakeUpstream":
        """Start serving on a free loopback port."""
        self.server = ThreadedServer(self.app).__enter__()
        return self

    def stop(self) -> None:
        """Stop serving (open streams are cut after a second)."""
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None

    def __enter__(self) -> "FakeUpstream":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request (raises ``IndexError`` when there was none)."""
        return self.requests[-1]

    # -- for subclasses -------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """The upstream's endpoints."""
        raise NotImplementedError

    def error_body(self, status: int, **error) -> object:
        """An error body in this upstream's shape."""
        raise NotImplementedError

    def next_outcome(self, prompt: list[dict]) -> Reply | Failure:
        """The next scripted outcome, or the default echo-like reply."""
        with self._lock:
            if self._script:
                return self._script.popleft()
        if self.default_text is not None:
            return Reply(text=self.default_text)
        return Reply(text=f"Hello! You said: {last_user_text(prompt)}")

    async def admit(self, request: Request) -> tuple[object, JSONResponse | None]:
        """Record the request; return its JSON body and, when its key is wrong, the 401 to send."""
        body = await self.record(request)
        if self.authorized(request):
            return body, None
        return body, JSONResponse(self.error_body(401, message=self.unauthorized_message), status_code=401)

    def authorized(self, request: Request) -> bool:
        """Whether the request carries ``api_key`` (always, when none is set); bearer by default."""
        return bearer_ok(request, self.api_key)

    async def answer_chat(self, request: Request):
        """The chat endpoint every fake shares: script, failure, whole answer or paced stream."""
        body, refusal = await self.admit(request)
        if refusal is not None:
            return refusal
        outcome = self.next_outcome(body.get("messages", []))
        streaming = bool(body.get("stream", self.streams_by_default))
        if isinstance(outcome, Failure) and (outcome.after_tokens is None or not streaming):
            return self.failure_response(outcome)
        if isinstance(outcome, RawStream):
            return StreamingResponse(self.paced(iter(outcome.pieces), request.url.path),
                                     media_type=self.stream_media_type)
        model = body.get("model") or self.default_model
        if not streaming:
            return JSONResponse(self.render_whole(outcome, body, model))
        chunks = self.render_stream(outcome, body, model)
        return StreamingResponse(self.paced(chunks, request.url.path), media_type=self.stream_media_type)

    def render_whole(self, reply: Reply, request: dict, model: str) -> dict:
        """The non-streaming answer body."""
        raise NotImplementedError

    def render_stream(self, outcome: Reply | Failure, request: dict, model: str):
        """The streamed answer, as text chunks (a failure with ``after_tokens`` included)."""
        raise NotImplementedError

    def failure_response(self, failure: Failure) -> JSONResponse:
        """The error response for a failure that happens before any body (or cut the connection)."""
        if failure.body is None:
            raise DroppedConnection("the test asked the fake upstream to drop the connection")
        return JSONResponse(failure.body, status_code=failure.status, headers=failure.headers)

    async def record(self, request: Request) -> object:
        """Log the request (parsed JSON body when there is one) and apply ``response_delay``."""
        body = await request.body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = body
        self.requests.append(RecordedRequest(request.method, request.url.path,
                                             {k.lower(): v for k, v in request.headers.items()},
                                             dict(request.query_params), parsed,
                                             request.client.port if request.client else None))
        await self._delay(request)
        return parsed

    async def _delay(self, request: Request) -> None:
        """Wait ``response_delay`` seconds, noting in ``disconnects`` a client that gives up."""
        deadline = time.monotonic() + self.response_delay
        while time.monotonic() < deadline:
            if await request.is_disconnected():
                self.disconnects.append(request.url.path)
                return
            await asyncio.sleep(0.005)

    async def paced(self, chunks, path: str):
        """Yield ``chunks`` with ``token_delay`` between them, recording the stream's life."""
        record = StreamRecord(path, time.monotonic())
        self.streams.append(record)
        try:
            for i, chunk in enumerate(chunks):
                if i and self.token_delay:
                    await asyncio.sleep(self.token_delay)
                yield chunk
            record.completed = True
        finally:
            # Runs when the stream ends and also when Starlette cancels it on client disconnect.
            record.closed_at = time.monotonic()


class DroppedConnection(ConnectionResetError):
    """Raised inside a streamed body to make the server cut the connection."""


def partial_then_fail(failure: Failure, render_token, render_error):
    """The chunks of a failing stream: a few rendered tokens, then the error or a cut connection."""
    for token in tokens_of("partial answer before the failure")[:failure.after_tokens]:
        yield render_token(token)
    if failure.body is None:
        raise DroppedConnection("the test asked the fake upstream to drop the connection")
    yield render_error(failure.body)


def last_user_text(messages: list[dict]) -> str:
    """The text of the last user message (string content or text parts)."""
    for message in reversed(messages or []):
        if message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def text_of(content) -> str:
    """Plain text of message content given as a string or a list of parts."""
    if isinstance(content, str):
        return content
    parts = content or []
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict) and p.get("type") == "text")


def usage_for(reply: Reply, prompt: list[dict]) -> tuple[int, int]:
    """The reply's usage, defaulting to word counts of the prompt and of the reply text."""
    if reply.usage is not None:
        return reply.usage
    words_in = sum(len(text_of(m.get("content")).split()) for m in prompt or [])
    return words_in, len(reply.text.split())


def bearer_ok(request: Request, api_key: str | None) -> bool:
    """True when no key is required or the request carries ``Authorization: Bearer <key>``."""
    return api_key is None or request.headers.get("authorization") == f"Bearer {api_key}"
