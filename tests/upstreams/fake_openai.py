"""A fake OpenAI-compatible upstream: Chat Completions (JSON and SSE), models, OpenRouter credits.

Point a client at ``fake.base_url`` (``<url>/v1``). Streams send ``data: {chunk}`` lines ending in
``data: [DONE]``; reasoning goes out as ``delta.reasoning_content`` (vLLM / DeepSeek style); tool
calls as ``delta.tool_calls`` fragments whose ``arguments`` JSON is split across chunks; a usage
chunk follows when the request asks ``stream_options.include_usage``. ``/v1/credits`` and
``/v1/key`` answer in OpenRouter's shapes once ``fake.credits`` / ``fake.key_info`` are set.
"""
from __future__ import annotations

import json
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from .scripted import (FakeUpstream, Failure, Reply, partial_then_fail, tokens_of,
                       usage_for)

_DEFAULT_TYPES = {401: "invalid_request_error", 403: "invalid_request_error",
                  404: "invalid_request_error", 429: "requests", 500: "server_error",
                  503: "server_error"}
_DEFAULT_CODES = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}


class FakeOpenAI(FakeUpstream):
    """An OpenAI-compatible server (also standing in for OpenRouter, vLLM, llama.cpp)."""

    provider_name = "openai"
    unauthorized_message = "Incorrect API key provided: sk-***"
    default_model = "gpt-fake"
    default_models = [
        {"id": "gpt-fake", "owned_by": "fake"},
        {"id": "vendor/rich-model", "name": "Rich Model", "context_length": 200000,
         "pricing": {"prompt": "0.000003", "completion": "0.000015"},
         "top_provider": {"max_completion_tokens": 8192},
         "supported_parameters": ["tools", "reasoning", "temperature"],
         "architecture": {"input_modalities": ["text", "image"]}},
    ]

    def reset(self) -> None:
        """Also forget the OpenRouter account data."""
        super().reset()
        self.credits: dict | None = None
        self.key_info: dict | None = None

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as ``base_url``."""
        return f"{self.url}/v1"

    def routes(self) -> list[Route]:
        return [Route("/v1/chat/completions", self.chat_completions, methods=["POST"]),
                Route("/v1/models", self.list_models),
                Route("/v1/credits", self.get_credits),
                Route("/v1/key", self.get_key),
                Route("/redirect/{rest:path}", self.redirect, methods=["GET", "POST"])]

    async def redirect(self, request: Request):
        """``/redirect/<path>`` answers 307 to ``/<path>``: for checking redirects are not followed."""
        await self.record(request)
        return RedirectResponse(f"/{request.path_params['rest']}", status_code=307)

    def error_body(self, status: int, *, type: str | None = None, message: str | None = None,
                   code: object = None) -> dict:
        """``{"error": {message, type, param, code}}`` as OpenAI sends it."""
        return {"error": {"message": message or f"fake upstream error {status}",
                          "type": type or _DEFAULT_TYPES.get(status, "invalid_request_error"),
                          "param": None, "code": code or _DEFAULT_CODES.get(status)}}

    async def chat_completions(self, request: Request):
        return await self.answer_chat(request)

    def render_whole(self, reply: Reply, request: dict, model: str) -> dict:
        """A ``chat.completion`` object."""
        message = {"role": "assistant", "content": reply.text or None}
        if reply.thinking:
            message["reasoning_content"] = reply.thinking
        if reply.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function",
                 "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
                for c in reply.tool_calls]
        return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                "model": model, "choices": [{"index": 0, "message": message,
                                             "finish_reason": _finish_reason(reply)}],
                "usage": _usage(reply, request["messages"])}

    def render_stream(self, outcome: Reply | Failure, request: dict, model: str):
        """``data: {chunk}`` lines ending in ``data: [DONE]``."""
        def chunk(delta=None, finish=None, **extra):
            choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
            payload = {"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                       "created": int(time.time()), "model": model, "choices": choices, **extra}
            return f"data: {json.dumps(payload)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        if isinstance(outcome, Failure):
            yield from partial_then_fail(outcome, lambda token: chunk({"content": token}),
                                         lambda body: f"data: {json.dumps(body)}\n\n")
            return
        for token in tokens_of(outcome.thinking):
            yield chunk({"reasoning_content": token})
        for token in tokens_of(outcome.text):
            yield chunk({"content": token})
        for index, call in enumerate(outcome.tool_calls):
            arguments = json.dumps(call.arguments)
            half = len(arguments) // 2
            yield chunk({"tool_calls": [{"index": index, "id": call.id, "type": "function",
                                         "function": {"name": call.name, "arguments": ""}}]})
            for part in (arguments[:half], arguments[half:]):
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]})
        yield chunk({}, _finish_reason(outcome))
        if (request.get("stream_options") or {}).get("include_usage"):
            yield chunk(None, usage=_usage(outcome, request.get("messages", [])))
        yield "data: [DONE]\n\n"

    async def list_models(self, request: Request):
        _, refusal = await self.admit(request)
        if refusal is not None:
            return refusal
        data = [{"object": "model", "created": 1700000000, "owned_by": "fake", **m} for m in self.models]
        return JSONResponse({"object": "list", "data": data})

    async def get_credits(self, request: Request):
        return await self._account(request, self.credits)

    async def get_key(self, request: Request):
        return await self._account(request, self.key_info)

    async def _account(self, request: Request, data: dict | None):
        _, refusal = await self.admit(request)
        if refusal is not None:
            return refusal
        if data is None:
            return JSONResponse(self.error_body(404, message="Not Found"), status_code=404)
        return JSONResponse({"data": data})


def _finish_reason(reply: Reply) -> str:
    if reply.finish_reason:
        return reply.finish_reason
    return "tool_calls" if reply.tool_calls else "stop"


def _usage(reply: Reply, prompt: list[dict]) -> dict:
    words_in, words_out = usage_for(reply, prompt)
    return {"prompt_tokens": words_in, "completion_tokens": words_out,
            "total_tokens": words_in + words_out}
