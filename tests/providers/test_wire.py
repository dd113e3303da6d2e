"""Reading streamed bodies: lines and Server-Sent Events however the bytes are split."""
from __future__ import annotations

import asyncio

import pytest

from agentdeck.providers.wire import LineSplitter, SSEDecoder, drain, parse_json


def split_every(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def decode(pieces: list[bytes]) -> list[tuple[str | None, bytes]]:
    decoder = SSEDecoder()
    events = []
    for piece in pieces:
        events += decoder.feed(piece)
    return events + decoder.flush()


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_lines_end_in_lf_crlf_or_cr_wherever_the_reads_split(size):
    splitter = LineSplitter()
    lines = []
    for piece in split_every(b"one\ntwo\r\nthree\rfour\r\n\r\nfive", size):
        lines += splitter.feed(piece)
    assert lines + splitter.flush() == [b"one", b"two", b"three", b"four", b"", b"five"]


@pytest.mark.parametrize("size", [1, 5, 1000])
def test_sse_events_wherever_the_reads_split(size):
    body = (b": a comment\r\nevent: first\r\ndata: {\"a\": 1}\r\n\r\n"
            b"data:no-space\n\n"
            b"id: 7\nretry: 10\ndata: line one\ndata: line two\n\n"
            b"event: empty\n\n"
            b"data: [DONE]\n\n")
    assert decode(split_every(body, size)) == [
        ("first", b'{"a": 1}'), (None, b"no-space"), (None, b"line one\nline two"), (None, b"[DONE]")]


def test_a_last_event_without_a_blank_line_is_kept():
    assert decode([b"data: {}\n", b"data: x"]) == [(None, b"{}\nx")]


def test_parse_json():
    assert parse_json(b'{"choices": [{"delta": {"content": " hi"}}], "n": null}') == {
        "choices": [{"delta": {"content": " hi"}}], "n": None}
    with pytest.raises(ValueError):
        parse_json(b"{not json")


async def test_drain_reads_to_the_end_and_gives_up_after_its_time():
    read = []

    async def finite():
        for piece in (b"a", b"b"):
            read.append(piece)
            yield piece

    await drain(finite())
    assert read == [b"a", b"b"]

    async def endless():
        while True:
            await asyncio.sleep(0.01)
            yield b"x"

    loop = asyncio.get_running_loop()
    start = loop.time()
    await drain(endless(), seconds=0.05)
    assert loop.time() - start < 0.5


async def test_drain_swallows_a_broken_connection():
    async def broken():
        yield b"a"
        raise ConnectionResetError("gone")

    await drain(broken())
