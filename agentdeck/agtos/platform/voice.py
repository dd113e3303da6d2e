"""agtOS voice endpoints. agentdeck has no voice pipeline: status says so, stats are zeroed and
the session list is the reference's 503. Chat does not depend on a voice pipeline."""
from __future__ import annotations

import time

from agentdeck.errors import ServiceUnavailable


def voice_status() -> dict:
    """``{available: false}``: no pipeline is wired up."""
    return {"available": False}


def voice_stats() -> dict:
    """The reference's stats document, every count and percentile zero."""
    zero = {"p50": 0, "p95": 0, "p99": 0, "count": 0}
    return {"stt": dict(zero), "tts": dict(zero), "audioChunksIn": 0, "audioChunksOut": 0,
            "requestsPerMinute": 0, "activeSessions": 0, "timestamp": int(time.time() * 1000)}


def list_voice_sessions() -> dict:
    """Always ``ServiceUnavailable``: there are no voice sessions without a pipeline."""
    raise ServiceUnavailable("Voice pipeline not available")
