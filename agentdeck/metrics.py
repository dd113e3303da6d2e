"""Prometheus metrics: request counts and latency by surface, operation and status.

With several worker processes, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``agentdeck serve
--workers N``) makes every worker write its samples there and ``/metrics`` add them up.
"""
from __future__ import annotations

import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("agentdeck_http_requests", "HTTP requests answered",
                   ["surface", "operation", "status"], registry=REGISTRY)
LATENCY = Histogram("agentdeck_http_request_duration_seconds", "Time to answer a request",
                    ["surface", "operation", "status"], registry=REGISTRY,
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


# (surface, operation, status) -> the two labelled children; a finite set (operations come from
# the specs), looked up once instead of on every request.
_children: dict[tuple[str, str, int], tuple] = {}


def observe(surface: str, operation: str, status: int, seconds: float) -> None:
    """Record one answered request."""
    children = _children.get((surface, operation, status))
    if children is None:
        label = str(status)
        children = (REQUESTS.labels(surface, operation, label), LATENCY.labels(surface, operation, label))
        _children[(surface, operation, status)] = children
    children[0].inc()
    children[1].observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The metrics text and its content type, across all workers when multiprocess is on."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
