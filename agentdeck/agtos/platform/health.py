"""agtOS health: every registered checker, as ``GET /api/health`` and ``/health/{serviceName}``
report them.

The checkers are the database (``database``), every plugin health check
(``register_health_checks``, under the name it registers) and, once keys are stored, one
``provider-<id>`` per configured model provider (unhealthy while the router has it marked out of
credit, which every worker sees). A checker returns ``(ok, detail)``; one that
raises counts as unhealthy with its exception as the error.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

import peewee

from agentdeck.errors import NotFound
from agentdeck.plugins.manager import get_plugin_manager
from agentdeck.router import credentials, get_router
from agentdeck.storage.db import ping

log = logging.getLogger("agentdeck.agtos.health")

Checker = Callable[[], tuple[bool, str]]


def _database() -> tuple[bool, str]:
    return (True, "ok") if ping() else (False, "Database not reachable")


def _provider_checker(provider: str) -> Checker:
    def check() -> tuple[bool, str]:
        state = get_router().billing().get(provider, {})
        if state.get("exhausted"):
            return False, f"Out of credit: {state.get('reason') or 'marked exhausted'}"
        return True, "key stored"

    return check


def checkers() -> dict[str, Checker]:
    """Every registered checker by service name."""
    found: dict[str, Checker] = {"database": _database}
    found.update(get_plugin_manager().health_checks())
    try:
        keyed = credentials.configured_providers()
    except peewee.PeeweeException:  # the database checker reports this
        keyed = []
    for provider in keyed:
        found.setdefault(f"provider-{provider}", _provider_checker(provider))
    return found


def run_checker(name: str, check: Checker) -> dict:
    """``{status, responseTime}`` (ms), with ``error`` when unhealthy."""
    started = time.perf_counter()
    try:
        ok, detail = check()
    except Exception as exc:  # a broken checker reports itself unhealthy, never breaks the page
        log.exception("health checker %s failed", name)
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    result = {"status": "healthy" if ok else "unhealthy",
              "responseTime": round((time.perf_counter() - started) * 1000)}
    if not ok:
        result["error"] = str(detail) or "unhealthy"
    return result


def now_ms() -> int:
    """The current time in Unix milliseconds (the reference's timestamps)."""
    return int(time.time() * 1000)


def health_report() -> tuple[dict, bool]:
    """The ``GET /api/health`` body and whether every service is healthy.

    Unhealthy, the body is the reference's ``{error: "Health check failed", message}`` (the
    message names each failing service), with the per-service results beside it.
    """
    services = {name: run_checker(name, check) for name, check in checkers().items()}
    timestamp = now_ms()
    failing = [f"{name}: {result['error']}" for name, result in services.items()
               if result["status"] != "healthy"]
    if failing:
        return {"error": "Health check failed", "message": "; ".join(failing), "status": "unhealthy",
                "services": services, "timestamp": timestamp}, False
    return {"status": "healthy", "services": services, "timestamp": timestamp}, True


def service_health(name: str) -> tuple[dict, bool]:
    """One service's result and whether it is healthy; ``NotFound`` for an unknown name."""
    check = checkers().get(name)
    if check is None:
        raise NotFound(f"Unknown service: {name}")
    result = run_checker(name, check)
    return result, result["status"] == "healthy"
