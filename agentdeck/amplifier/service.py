"""What the service says about itself: the root document, health and versions."""
from __future__ import annotations

import time

from agentdeck import __version__
from agentdeck.amplifier import API_VERSION
from agentdeck.storage.db import ping
from agentdeck.storage.models.amplifier import AmplifierConfig

_STARTED = time.monotonic()


def root_info(mount: str) -> dict:
    """``GET /``: the service, its version and where its docs and health live (under the mount)."""
    return {"service": "Amplifier App api", "version": API_VERSION,
            "description": "REST API service for Amplifier AI development platform",
            "docs": f"{mount}/docs", "health": f"{mount}/health"}


def database_connected() -> bool:
    """True when the database answers and the Amplifier tables are readable."""
    if not ping():
        return False
    try:
        AmplifierConfig.select().count()
        return True
    except Exception:  # any driver error means "not connected" to a health check
        return False


def health_status() -> dict:
    """``GET /health``: ``healthy`` when the database answers, else ``degraded``."""
    connected = database_connected()
    return {"status": "healthy" if connected else "degraded", "version": API_VERSION,
            "uptime": format_uptime(time.monotonic() - _STARTED), "database_connected": connected}


def format_uptime(seconds: float) -> str:
    """``Days: 0, Hours: 1, Minutes: 23, Seconds: 45`` as the reference writes it."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"Days: {days}, Hours: {hours}, Minutes: {minutes}, Seconds: {secs}"


def version_info() -> dict:
    """``GET /version``: there is no amplifier-core here, so those versions are null."""
    return {"service_version": API_VERSION, "amplifier_core_version": None,
            "amplifier_foundation_version": None, "agentdeck_version": __version__}
