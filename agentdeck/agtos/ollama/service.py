"""Ollama as agtOS reports and drives it, through the router's ``ollama`` provider (the daemon
at ``OLLAMA_HOST``, default ``http://127.0.0.1:11434``).

"Installed" means an ``ollama`` executable is on ``PATH`` or the daemon answers (it may run on
another host); "running" means ``GET /api/version`` answered. ``start`` runs ``ollama serve``
detached from the server and waits up to ``START_WAIT_SECONDS`` for the daemon to answer.
"""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator

from agentdeck.errors import DomainError, InvalidInput, ServiceUnavailable
from agentdeck.providers.errors import ProviderError
from agentdeck.router import upstreams

PROBE_TIMEOUT = 2.0
PULL_TIMEOUT = 30.0
START_WAIT_SECONDS = 15.0
INSTALL_HINT = "Install Ollama from https://ollama.com"
START_HINT = "Ollama is installed but not running: start it with 'ollama serve' or POST /api/ollama/start"
NOT_REACHABLE = "Ollama not reachable"
_MODEL = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._:/-]{0,199}$")
_started: list[subprocess.Popen] = []  # the daemons this process started (tests stop them)


class OllamaStartFailed(DomainError):
    status = 500

    def __init__(self, reason: str):
        super().__init__("Failed to start Ollama", details=[{"message": reason}])


def _provider(timeout: float = PROBE_TIMEOUT):
    return upstreams.build_provider("ollama", None, timeout=timeout)


def executable() -> str | None:
    return shutil.which("ollama")


async def _version() -> str | None:
    async with _provider() as provider:
        try:
            return await provider.version() or "unknown"
        except ProviderError:
            return None


async def status() -> dict:
    """``GET /api/ollama/status``."""
    async with _provider() as provider:
        try:
            version = await provider.version() or "unknown"
            models = await provider.installed_models()
        except ProviderError:
            version, models = None, None
    if version is None:
        installed = executable() is not None
        return {"installed": installed, "running": False, "version": None, "models": [],
                "hint": START_HINT if installed else INSTALL_HINT}
    return {"installed": True, "running": True, "version": version,
            "models": [{"name": m.get("name") or m.get("model"), "size": m.get("size"),
                        "digest": m.get("digest")} for m in models],
            "hint": None}


async def models() -> dict:
    """``GET /api/ollama/models``: 503 when the daemon does not answer."""
    async with _provider() as provider:
        try:
            listed = await provider.installed_models()
        except ProviderError:
            raise ServiceUnavailable(NOT_REACHABLE) from None
    out = []
    for m in listed:
        details = m.get("details") if isinstance(m.get("details"), dict) else {}
        out.append({"name": m.get("name") or m.get("model"), "model": m.get("model") or m.get("name"),
                    "size": m.get("size"), "digest": m.get("digest"), "family": details.get("family"),
                    "parameterSize": details.get("parameter_size"),
                    "quantization": details.get("quantization_level")})
    return {"models": out, "count": len(out)}


def check_model_name(name) -> str:
    if not isinstance(name, str) or not _MODEL.match(name):
        raise InvalidInput("Invalid model name", details=[{"message": "a model name is 1-200 letters, digits and . _ : / -"}])
    return name


async def prepare_pull(name) -> str:
    """The model to pull; 400 for a bad name, 503 when the daemon does not answer."""
    check_model_name(name)
    if await _version() is None:
        raise ServiceUnavailable(NOT_REACHABLE)
    return name


async def pull(name: str) -> AsyncIterator[dict]:
    """Ollama's pull stream as agtOS events: ``progress`` per line, then ``complete`` or ``error``."""
    started = time.monotonic()
    try:
        async with _provider(PULL_TIMEOUT) as provider:
            async for line in provider.pull(name):
                if line.get("error"):
                    yield {"type": "error", "modelId": name, "error": str(line["error"]), "retryable": False}
                    return
                status = str(line.get("status") or "")
                if status == "success":
                    yield {"type": "complete", "modelId": name, "durationMs": int((time.monotonic() - started) * 1000)}
                    return
                event = {"type": "progress", "modelId": name, "status": status}
                if "digest" in line:
                    event["digest"] = line["digest"]
                total, completed = line.get("total"), line.get("completed")
                if isinstance(total, int) and total > 0:
                    done = completed if isinstance(completed, int) else 0
                    event.update(total=total, completed=done, percent=min(100, done * 100 // total))
                yield event
    except ProviderError as exc:
        yield {"type": "error", "modelId": name, "error": f"{NOT_REACHABLE}: {exc}", "retryable": True}
        return
    yield {"type": "error", "modelId": name, "error": "Ollama ended the pull without success", "retryable": True}


async def start() -> dict:
    """``POST /api/ollama/start``: already running → ``alreadyRunning``; else ``ollama serve``."""
    if await _version() is not None:
        return {"started": True, "alreadyRunning": True}
    path = executable()
    if path is None:
        raise OllamaStartFailed(f"Ollama is not installed. {INSTALL_HINT}")
    try:
        process = subprocess.Popen([path, "serve"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        raise OllamaStartFailed(f"cannot run {path} serve: {exc.strerror}") from None
    _started.append(process)
    deadline = time.monotonic() + START_WAIT_SECONDS
    while time.monotonic() < deadline:
        if await _version() is not None:
            return {"started": True}
        if process.poll() is not None:
            raise OllamaStartFailed(f"ollama serve exited with status {process.returncode}")
        await asyncio.sleep(0.25)
    raise OllamaStartFailed(f"Ollama did not answer within {START_WAIT_SECONDS:g} seconds")
