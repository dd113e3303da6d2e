"""A fake Anthropic Messages API: ``POST /v1/messages`` (JSON and SSE) and ``GET /v1/models``.

Streams follow Anthropic's event sequence: ``message_start``, then per content block
``content_block_start`` / ``content_block_delta`` (``thinking_delta`` + ``signature_delta``,
``text_delta``, ``input_json_delta``) / ``content_block_stop``, a ``ping``, ``message_delta``
with the stop reason and output usage, ``message_stop``. Errors use
``{"type": "error", "error": {"type": ..., "message": ...}}``, also as a mid-stream ``error`` event.
"""
from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .scripted import (FakeUpstream, Failure, Reply, partial_then_fail, tokens_of,
                       usage_for)

_DEFAULT_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                  403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                  429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}


class FakeAnthropic(FakeUpstream):
    """An Anthropic Messages API server; the key goes in ``x-api-key`` or as a bearer token."""

    provider_name = "anthropic"
    unauthorized_message = "invalid x-api-key"
    default_model = "claude-fake-1"
    default_models = [
        {"id": "claude-fake-1", "display_name": "Claude Fake 1", "created_at": "2025-05-01T00:00:00Z",
         "lifecycle": "active", "max_input_tokens": 200000, "max_tokens": 64000,
         "capabilities": {"image_input": {"supported": True},
                          "thinking": {"supported": True, "types": {}},
                          "batch": {"supported": True}}},
        {"id": "claude-fake-0", "display_name": "Claude Fake 0", "created_at": "2024-03-01T00:00:00Z",
         "lifecycle": "deprecated", "deprecated_at": "2025-06-01T00:00:00Z",
         "retires_at": "2026-01-05T00:00:00Z"},
    ]

    def routes(self) -> list[Route]:
        return [Route("/v1/messages", self.create_message, methods=["POST"]),
                Route("/v1/models", self.list_models)]

    def error_body(self, status: int, *, type: str | None = None, message: str | None = None) -> dict:
        """``{"type": "error", "error": {type, message}}`` as Anthropic sends it."""
        return {"type": "error", "error": {"type": type or _DEFAULT_TYPES.get(status, "api_error"),
                                           "message": message or f"fake upstream error {status}"},
                "request_id": "req_fake"}

    def authorized(self, request: Request) -> bool:
        """The API takes the key as ``x-api-key`` or as a bearer token (what current SDKs send)."""
        return super().authorized(request) or request.headers.get("x-api-key") == self.api_key

    async def create_message(self, request: Request):
        return await self.answer_chat(request)

    def render_whole(self, reply: Reply, request: dict, model: str) -> dict:
        """A ``message`` object."""
        words_in, words_out = usage_for(reply, request["messages"])
        return {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                "content": _blocks(reply), "stop_reason": _stop_reason(reply), "stop_sequence": None,
                "usage": {"input_tokens": words_in, "output_tokens": words_out}}

    def render_stream(self, outcome: Reply | Failure, request: dict, model: str):
        """``event:`` / ``data:`` pairs in the Messages stream order."""
        def event(name, **data):
            return f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n"

        reply = outcome if isinstance(outcome, Reply) else Reply()
        words_in, words_out = usage_for(reply, request["messages"])
        yield event("message_start", message={
            "id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": words_in, "output_tokens": 1}})
        if isinstance(outcome, Failure):
            yield event("content_block_start", index=0, content_block={"type": "text", "text": ""})
            yield from partial_then_fail(
                outcome,
                lambda token: event("content_block_delta", index=0, delta={"type": "text_delta", "text": token}),
                lambda body: f"event: error\ndata: {json.dumps(body)}\n\n")
            return
        for index, block in enumerate(_blocks(reply)):
            yield from _block_events(event, index, block)
        yield event("ping")
        yield event("message_delta", delta={"stop_reason": _stop_reason(reply), "stop_sequence": None},
                    usage={"output_tokens": words_out})
        yield event("message_stop")

    async def list_models(self, request: Request):
        _, refusal = await self.admit(request)
        if refusal is not None:
            return refusal
        data = [{"type": "model", **m} for m in self.models]
        return JSONResponse({"data": data, "has_more": False,
                             "first_id": data[0]["id"] if data else None,
                             "last_id": data[-1]["id"] if data else None})


def _blocks(reply: Reply) -> list[dict]:
    blocks = []
    if reply.thinking:
        blocks.append({"type": "thinking", "thinking": reply.thinking, "signature": "sig-fake"})
    if reply.text:
        blocks.append({"type": "text", "text": reply.text})
    blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
               for c in reply.tool_calls]
    return blocks


def _block_events(event, index: int, block: dict):
    """The start / delta / stop events of one content block, deltas split like the real API."""
    kind = block["type"]
    if kind == "thinking":
        yield event("content_block_start", index=index,
                    content_block={"type": "thinking", "thinking": "", "signature": ""})
        for token in tokens_of(block["thinking"]):
            yield event("content_block_delta", index=index, delta={"type": "thinking_delta", "thinking": token})
        yield event("content_block_delta", index=index,
                    delta={"type": "signature_delta", "signature": block["signature"]})
    elif kind == "text":
        yield event("content_block_start", index=index, content_block={"type": "text", "text": ""})
        for token in tokens_of(block["text"]):
            yield event("content_block_delta", index=index, delta={"type": "text_delta", "text": token})
    else:
        yield event("content_block_start", index=index,
                    content_block={"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}})
        arguments = json.dumps(block["input"])
        half = len(arguments) // 2
        for part in (arguments[:half], arguments[half:]):
            yield event("content_block_delta", index=index,
                        delta={"type": "input_json_delta", "partial_json": part})
    yield event("content_block_stop", index=index)


def _stop_reason(reply: Reply) -> str:
    if reply.finish_reason:
        return reply.finish_reason
    return "tool_use" if reply.tool_calls else "end_turn"
