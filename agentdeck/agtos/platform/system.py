"""``GET /api/system/info``: uptime, runtime, memory and ports, in the reference's shape."""
from __future__ import annotations

import os
import platform
import resource
import sys
import time

_STARTED = time.monotonic()


def uptime_seconds() -> float:
    """Seconds since this server process started."""
    return round(time.monotonic() - _STARTED, 2)


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # not Linux: the peak is what is known
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def system_info(port: int | None) -> dict:
    """The info document; ``port`` is the one the request came in on (the ``health`` port).

    agentdeck runs on Python, not Node.js: ``pythonVersion`` replaces ``nodeVersion``, and the
    JavaScript heap figures of ``memoryUsage`` are 0. agentdeck serves no voice or MCP port.
    """
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64"}.get(machine, machine)
    rss = _rss_bytes()
    return {
        "uptime": uptime_seconds(),
        "pythonVersion": platform.python_version(),
        "platform": sys.platform,
        "arch": arch,
        "memoryUsage": {"rss": rss, "heapTotal": 0, "heapUsed": 0, "external": 0, "arrayBuffers": 0},
        "ports": {"health": port} if port else {},
        "timestamp": int(time.time() * 1000),
    }
