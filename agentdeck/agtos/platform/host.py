"""What this host has, detected when asked (nothing assumed): CPU, memory, GPU, Ollama, Docker,
Node.js, Redis; and the operations on them (Redis status / reconnect / install, onboarding reset).

Each probe is bounded (a command gets ``COMMAND_TIMEOUT`` seconds, Ollama 2 seconds, Redis
``agentdeck.redisconn.SOCKET_TIMEOUT``) so a missing or hung tool never holds a request long.
"""
from __future__ import annotations

import asyncio
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis

from agentdeck import redisconn
from agentdeck.errors import DomainError, InvalidInput, ServiceUnavailable

COMMAND_TIMEOUT = 5.0
REDIS_CONTAINER = "agtos-redis"
REDIS_IMAGE = "redis/redis-stack:latest"
DOCKER_HINT = "Start Docker Desktop or run 'sudo systemctl start docker'"
REDIS_SERVICES = ["rate-limits"]  # what agentdeck keeps in Redis when REDIS_URL is set


def _run(*command: str) -> subprocess.CompletedProcess | None:
    """``command``'s result, or None when it is not installed or does not finish in time."""
    if shutil.which(command[0]) is None:
        return None
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_mb() -> tuple[int | None, int | None]:
    try:
        info = {k.strip(): v for k, v in (line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line)}
        total = int(info["MemTotal"].split()[0]) // 1024
        available = int(info.get("MemAvailable", info.get("MemFree", "0 kB")).split()[0]) // 1024
        return total, available
    except (OSError, KeyError, ValueError):
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
            return total, None
        except (ValueError, OSError):
            return None, None


def _gpu() -> dict:
    result = _run("nvidia-smi", "--query-gpu=name", "--format=csv,noheader")
    if result is not None and result.returncode == 0 and result.stdout.strip():
        return {"available": True, "type": "cuda", "name": result.stdout.strip().splitlines()[0]}
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return {"available": True, "type": "metal"}
    if Path("/dev/kfd").exists() and any(Path("/dev/dri").glob("renderD*")):
        return {"available": True, "type": "rocm"}
    return {"available": False, "type": None}


def docker_state() -> dict:
    installed = shutil.which("docker") is not None
    result = _run("docker", "info", "--format", "{{.ServerVersion}}") if installed else None
    return {"installed": installed, "running": bool(result is not None and result.returncode == 0)}


def node_state() -> dict:
    result = _run("node", "--version")
    if result is None or result.returncode != 0:
        return {"installed": False, "version": None, "hint": "Install Node.js from https://nodejs.org (optional: agentdeck does not need it)"}
    return {"installed": True, "version": result.stdout.strip(), "hint": None}


async def capabilities() -> dict:
    """``GET /api/system/capabilities``."""
    from agentdeck.agtos.ollama import service as ollama

    total, available = _memory_mb()
    gpu, docker = await asyncio.to_thread(lambda: (_gpu(), docker_state()))
    return {"cpu": {"cores": os.cpu_count(), "model": _cpu_model()},
            "memory": {"totalMb": total, "availableMb": available},
            "gpu": gpu,
            "ollama": {"available": (await ollama.status())["running"]},
            "docker": {"available": docker["running"]}}


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        user = parts.username or ""
        parts = parts._replace(netloc=f"{user}:***@{host}")
    return urlunsplit(parts)


def redis_status() -> dict:
    """``GET /api/system/redis``: what ``REDIS_URL`` reaches (the password never shown)."""
    configured = redisconn.url()
    if not configured:
        return {"connected": False, "configured": False, "url": None, "version": None,
                "message": "REDIS_URL is not set: rate limits are counted in the database"}
    try:
        info = redisconn.client().info("server")
        return {"connected": True, "configured": True, "url": _redacted(configured),
                "version": str(info.get("redis_version")), "message": None}
    except (redis.RedisError, OSError) as exc:
        return {"connected": False, "configured": True, "url": _redacted(configured), "version": None,
                "message": f"Redis does not answer: {type(exc).__name__}"}


def redis_reconnect() -> dict:
    """``POST /api/system/redis/reconnect``: a new pool, checked with PING; 503 otherwise."""
    if not redisconn.url():
        raise ServiceUnavailable("Redis connection failed", details=[{"message": "REDIS_URL is not set"}])
    try:
        redisconn.reconnect().ping()
    except (redis.RedisError, OSError) as exc:
        raise ServiceUnavailable("Redis connection failed",
                                 details=[{"message": f"Redis does not answer: {type(exc).__name__}"}]) from None
    return {"reconnected": True, "services": REDIS_SERVICES}


def _redis_reachable() -> bool:
    if not redisconn.url():
        return False
    try:
        return bool(redisconn.client().ping())
    except (redis.RedisError, OSError):
        return False


async def dependencies() -> dict:
    """``GET /api/dependencies``."""
    from agentdeck.agtos.models import registry
    from agentdeck.agtos.ollama import service as ollama

    ollama_status = await ollama.status()

    def local_checks():
        return node_state(), docker_state(), _redis_reachable(), registry.list_document()

    node, docker, redis_ok, models = await asyncio.to_thread(local_checks)
    return {"node": node, "docker": docker,
            "ollama": {"installed": ollama_status["installed"], "reachable": ollama_status["running"]},
            "redis": {"installed": shutil.which("redis-server") is not None or bool(redisconn.url()),
                      "reachable": redis_ok},
            "sherpaModels": {"downloaded": models["downloadedCount"], "total": models["totalCount"]}}


class RedisInstallFailed(DomainError):
    status = 500

    def __init__(self, output: str):
        super().__init__("Failed to install Redis", details=[{"details": output.strip()[-2000:]}])


def install_redis() -> dict:
    """``POST /api/dependencies/install-redis``: the ``agtos-redis`` container of
    ``redis/redis-stack``, port 6379, restart unless-stopped; 400 when Docker is not running."""
    if not docker_state()["running"]:
        raise InvalidInput("Docker is not running", details=[{"hint": DOCKER_HINT}])
    state = _run("docker", "inspect", "--format", "{{.State.Running}}", REDIS_CONTAINER)
    if state is not None and state.returncode == 0:
        if state.stdout.strip() == "true":
            return {"status": "already_running"}
        started = _run("docker", "start", REDIS_CONTAINER)
        if started is None or started.returncode != 0:
            raise RedisInstallFailed(started.stderr if started else "docker start did not finish")
        return {"status": "started"}
    try:
        created = subprocess.run(["docker", "run", "-d", "--name", REDIS_CONTAINER, "-p", "6379:6379",
                                  "--restart", "unless-stopped", REDIS_IMAGE],
                                 capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RedisInstallFailed(str(exc)) from None
    if created.returncode != 0:
        raise RedisInstallFailed(created.stderr or created.stdout)
    return {"status": "installed"}


def reset_onboarding() -> dict:
    """``POST /api/onboarding/reset``: the setup wizard's server side starts over — a fresh
    setup token for 30 minutes when no API key is set (credentials can be stored again)."""
    from agentdeck.agtos.platform.setup_token import prepare_setup_token
    from agentdeck.storage.db import writing
    from agentdeck.storage.models.agtos import AgtosSetupToken

    with writing():
        AgtosSetupToken.delete().execute()
    prepare_setup_token()
    return {"success": True, "message": "Onboarding reset. Reload the app to re-run setup."}
