"""The overall health report behind ``GET /healthz``."""
from __future__ import annotations

import logging

from agentdeck.plugins.manager import get_plugin_manager
from agentdeck.storage.db import database, is_postgres, ping

log = logging.getLogger("agentdeck.health")


def health_report(mounted) -> tuple[dict, bool]:
    """The report body and whether everything is healthy."""
    db_ok = ping()
    checks = {}
    for name, check in get_plugin_manager().health_checks().items():
        try:
            ok, detail = check()
        except Exception as exc:  # a broken check reports itself unhealthy, never breaks the page
            log.exception("health check %s failed", name)
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        checks[name] = {"ok": bool(ok), "detail": str(detail)}
    backend = "postgresql" if is_postgres() else "sqlite" if "sqlite" in type(database.obj).__name__.lower() else "other"
    healthy = db_ok and all(c["ok"] for c in checks.values())
    surface_status = "ok" if db_ok else "degraded"
    body = {
        "status": "ok" if healthy else "degraded",
        "database": {"ok": db_ok, "backend": backend},
        "surfaces": {m.surface.name: {"status": surface_status, "mount": m.mount or "/"} for m in mounted},
        "checks": checks,
    }
    return body, healthy
