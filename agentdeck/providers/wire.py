"""Reading streamed provider responses without building a model object per chunk.

A relayed token costs what parsing its chunk costs. The vendor clients build a pydantic model per
Server-Sent Event (about 0.2-0.5 ms of CPU each), which held one worker to about a thousand relayed
tokens a second. The providers keep the vendor client for the request (auth, retries, error
mapping) and read the body with what is here: lines split from the raw bytes, events assembled
from them, each payload parsed with ``parse_json`` (jiter, which both vendor clients depend on).

The decoders are plain objects fed chunk by chunk, not async generators, so a provider's stream
holds no nested generator that cancellation would leave for the garbage collector to close.
"""
from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator

try:  # installed with the openai and anthropic clients
    from jiter import from_json as _from_json
except ImportError:  # pragma: no cover - only without either vendor client
    _from_json = json.loads

#: How long to read on after a stream's end marker, so the connection can go back to the pool.
DRAIN_SECONDS = 0.1


def parse_json(data: bytes):
    """The JSON value in ``data``; raises ``ValueError`` when it is not JSON."""
    return _from_json(data)


class LineSplitter:
    """Splits a byte stream into lines ending in LF, CRLF or CR (returned without their ends)."""

    def __init__(self):
        self._tail = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines completed by ``chunk``; an unfinished last line waits for the next chunk."""
        data = self._tail + chunk if self._tail else chunk
        lines = data.splitlines(keepends=True)
        # A last line ending in CR waits too: it may be the first half of a CRLF split across
        # chunks (a server ending its lines with a lone CR delays each line by one chunk).
        if lines and not lines[-1].endswith(b"\n"):
            self._tail = lines.pop()
        else:
            self._tail = b""
        return [line.rstrip(b"\r\n") for line in lines]

    def flush(self) -> list[bytes]:
        """What is left when the body ends, as a last line."""
        tail, self._tail = self._tail, b""
        tail = tail.rstrip(b"\r\n")
        return [tail] if tail else []


class SSEDecoder:
    """Server-Sent Events from a byte stream: ``feed`` returns ``(event name or None, data)`` pairs.

    The rules providers rely on: the ``data:`` lines of one event are joined with LF, one space
    after the colon is dropped, comments (``:``) and other fields are ignored, and an event with
    data is dispatched at a blank line (or, with ``flush``, at the end of the body).
    """

    def __init__(self):
        self._lines = LineSplitter()
        self._event: str | None = None
        self._data: list[bytes] = []

    def feed(self, chunk: bytes) -> list[tuple[str | None, bytes]]:
        """The events completed by ``chunk``."""
        return self._events(self._lines.feed(chunk))

    def flush(self) -> list[tuple[str | None, bytes]]:
        """The last event, when the body ended without a blank line after it."""
        return self._events(self._lines.flush() + [b""])

    def _events(self, lines: list[bytes]) -> list[tuple[str | None, bytes]]:
        out = []
        for line in lines:
            if not line:
                if self._data:
                    data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
                    out.append((self._event, data))
                self._event, self._data = None, []
                continue
            name, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                self._data.append(value)
            elif name == b"event":
                self._event = value.decode("utf-8", "replace")
        return out


async def drain(chunks: AsyncIterator[bytes], seconds: float = DRAIN_SECONDS) -> None:
    """Read what follows a stream's end marker for up to ``seconds``, ignoring it and any error,
    so an HTTP/1.1 connection that ends its body there can be reused."""
    try:
        async with asyncio.timeout(seconds):
            async for _ in chunks:
                pass
    except Exception:  # a timeout or a broken connection: a finished reply stays finished
        pass
