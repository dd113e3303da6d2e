"""Per-slot counters: requests, errors and fallbacks, exported to Prometheus.

The counters are Prometheus counters, so with several workers (``PROMETHEUS_MULTIPROC_DIR``)
every worker's samples are added up, both by ``/metrics`` and by ``slot_stats``.
"""
from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, multiprocess

from agentdeck.metrics import REGISTRY

REQUESTS = Counter("agentdeck_router_requests", "Calls routed, by slot", ["slot"], registry=REGISTRY)
ERRORS = Counter("agentdeck_router_errors", "Routed calls that failed on every candidate, by slot",
                 ["slot"], registry=REGISTRY)
FALLBACKS = Counter("agentdeck_router_fallbacks",
                    "Times a routed call moved on to its next candidate, by slot",
                    ["slot"], registry=REGISTRY)
_NAMES = {"agentdeck_router_requests": "requests", "agentdeck_router_errors": "errors",
          "agentdeck_router_fallbacks": "fallbackCount"}


def record(slot: str, *, fallbacks: int = 0, failed: bool = False) -> None:
    """Count one routed call of ``slot``."""
    REQUESTS.labels(slot).inc()
    if fallbacks:
        FALLBACKS.labels(slot).inc(fallbacks)
    if failed:
        ERRORS.labels(slot).inc()


def slot_stats() -> dict[str, dict]:
    """``{slot: {requests, errors, fallbackCount}}`` across all workers."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    out: dict[str, dict] = {}
    for metric in registry.collect():
        key = _NAMES.get(metric.name)
        if key is None:
            continue
        for sample in metric.samples:
            if not sample.name.endswith("_total"):
                continue
            counts = out.setdefault(sample.labels["slot"],
                                    {"requests": 0, "errors": 0, "fallbackCount": 0})
            counts[key] += int(sample.value)
    return out
