"""A fake Ollama native API: ``/api/chat`` (NDJSON stream or one JSON), ``/api/tags``, ``/api/show``.

Stream lines carry ``message.content`` (and ``message.thinking``) fragments with ``done: false``;
tool calls arrive whole in one line's ``message.tool_calls`` with ``arguments`` as an object; the
last line has ``done: true``, ``done_reason`` and the ``prompt_eval_count`` / ``eval_count`` token
counts. Errors are ``{"error": "..."}`` with a status code, or such a line mid-stream.
"""
from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from .scripted import (FakeUpstream, Failure, Reply, partial_then_fail, tokens_of,
                       usage_for)

_CREATED = "2025-01-01T00:00:00.000000Z"


class FakeOllama(FakeUpstream):
    """An Ollama server; with ``api_key`` set it wants ``Authorization: Bearer`` (as ollama.com does)."""

    provider_name = "ollama"
    stream_media_type = "application/x-ndjson"
    streams_by_default = True
    default_model = "llama-fake:latest"
    default_models = [
        {"name": "llama-fake:latest", "family": "llama", "context_length": 131072,
         "capabilities": ["completion", "tools"]},
        {"name": "qwen-fake:8b", "family": "qwen3", "context_length": 40960,
         "capabilities": ["completion", "tools", "thinking", "vision"]},
    ]

    def routes(self) -> list[Route]:
        return [Route("/api/chat", self.chat, methods=["POST"]),
                Route("/api/tags", self.tags),
                Route("/api/show", self.show, methods=["POST"]),
                Route("/api/version", self.version),
                Route("/api/pull", self.pull, methods=["POST"])]

    def error_body(self, status: int, *, message: str | None = None) -> dict:
        """``{"error": "..."}`` as Ollama sends it."""
        return {"error": message or f"fake upstream error {status}"}

    async def chat(self, request: Request):
        return await self.answer_chat(request)

    def render_whole(self, reply: Reply, request: dict, model: str) -> dict:
        """One JSON object with the whole message and the token counts."""
        return self._final(reply, request["messages"], model, whole=True)

    def _final(self, reply: Reply, prompt: list[dict], model: str, *, whole: bool) -> dict:
        words_in, words_out = usage_for(reply, prompt)
        message = {"role": "assistant", "content": reply.text if whole else ""}
        if whole and reply.thinking:
            message["thinking"] = reply.thinking
        if whole and reply.tool_calls:
            message["tool_calls"] = _tool_calls(reply)
        return {"model": model, "created_at": _CREATED, "message": message, "done": True,
                "done_reason": reply.finish_reason or "stop", "total_duration": 1000,
                "prompt_eval_count": words_in, "eval_count": words_out}

    def render_stream(self, outcome: Reply | Failure, request: dict, model: str):
        """NDJSON lines, the last with ``done: true``."""
        def line(**message):
            payload = {"model": model, "created_at": _CREATED,
                       "message": {"role": "assistant", "content": "", **message}, "done": False}
            return json.dumps(payload) + "\n"

        if isinstance(outcome, Failure):
            yield from partial_then_fail(outcome, lambda token: line(content=token),
                                         lambda body: json.dumps(body) + "\n")
            return
        for token in tokens_of(outcome.thinking):
            yield line(thinking=token)
        for token in tokens_of(outcome.text):
            yield line(content=token)
        if outcome.tool_calls:
            yield line(tool_calls=_tool_calls(outcome))
        yield json.dumps(self._final(outcome, request["messages"], model, whole=False)) + "\n"

    async def tags(self, request: Request):
        _, refusal = await self.admit(request)
        if refusal is not None:
            return refusal
        models = [{"name": m["name"], "model": m["name"], "modified_at": _CREATED, "size": 2019393189,
                   "digest": "sha256:fake", "details": {"format": "gguf", "family": m["family"],
                                                        "parameter_size": "3.2B",
                                                        "quantization_level": "Q4_K_M"}}
                  for m in self.models]
        return JSONResponse({"models": models})

    async def show(self, request: Request):
        body, refusal = await self.admit(request)
        if refusal is not None:
            return refusal
        name = (body or {}).get("model") or (body or {}).get("name")
        model = next((m for m in self.models if name in (m["name"], m["name"].removesuffix(":latest"))), None)
        if model is None:
            return JSONResponse(self.error_body(404, message=f"model '{name}' not found"), status_code=404)
        arch = model["family"]
        return JSONResponse({"modelfile": "", "parameters": "", "template": "",
                             "details": {"format": "gguf", "family": arch},
                             "model_info": {"general.architecture": arch,
                                            f"{arch}.context_length": model["context_length"]},
                             "capabilities": model["capabilities"], "modified_at": _CREATED})


    # /api/version and /api/pull (the agtOS Ollama operations). A pull of a name in
    # ``pull_missing`` fails as Ollama does for an unknown model; any other one streams the
    # manifest, two layers in ``pull_steps`` progress lines each, and success, and is listed after.
    fake_version = "0.5.7"
    pull_missing = ("missing:latest",)
    pull_steps = 4

    async def version(self, request: Request):
        return JSONResponse({"version": self.fake_version})

    async def pull(self, request: Request):
        body, refusal = await self.admit(request)
        if refusal is not None:
            return refusal
        name = (body or {}).get("model") or (body or {}).get("name") or ""
        return StreamingResponse(self._pull_lines(name), media_type="application/x-ndjson")

    async def _pull_lines(self, name: str):
        yield json.dumps({"status": "pulling manifest"}) + "\n"
        if name in self.pull_missing:
            yield json.dumps({"error": "pull model manifest: file does not exist"}) + "\n"
            return
        for digest, total in (("sha256:aaaa", 4000), ("sha256:bbbb", 1000)):
            for step in range(self.pull_steps + 1):
                yield json.dumps({"status": f"pulling {digest[7:]}", "digest": digest, "total": total,
                                  "completed": total * step // self.pull_steps}) + "\n"
        for status in ("verifying sha256 digest", "writing manifest", "success"):
            yield json.dumps({"status": status}) + "\n"
        if not any(m["name"] == name for m in self.models):
            self.models = [*self.models, {"name": name, "family": name.split(":")[0], "context_length": 4096,
                                          "capabilities": ["completion"]}]


def _tool_calls(reply: Reply) -> list[dict]:
    # A call scripted with an empty id goes out without one, as older Ollama versions send it.
    return [{**({"id": c.id} if c.id else {}),
             "function": {"index": i, "name": c.name, "arguments": c.arguments}}
            for i, c in enumerate(reply.tool_calls)]
