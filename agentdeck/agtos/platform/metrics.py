"""agtOS metrics under the reference's names, derived from the server's request metrics.

Every request is already counted per surface, operation and status (``agentdeck.metrics``,
added up across workers when multiprocess is on). The agtOS requests among them are presented
as ``agtos_http_requests_total{method, path, status}`` and the
``agtos_http_request_duration_seconds`` histogram, the path being the operation's template
(``/health/{serviceName}``); ``GET /health/metrics`` summarises the same samples. The
provider catalog's ``agtos_provider_catalog_*`` and the router's per-slot counters are passed
through as they are.
"""
from __future__ import annotations

import functools
import os

from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily

from agentdeck import metrics
from agentdeck.agtos.platform.system import uptime_seconds
from agentdeck.settings import get_settings
from agentdeck.specs import load_spec

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_PASSED_THROUGH = ("agtos_", "agentdeck_router_")
_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head"}


@functools.lru_cache(maxsize=1)
def _routes() -> dict[str, tuple[str, str]]:
    # The middleware labels an operation by its id after ".handlers.": agtos.health.get_health.
    spec = load_spec("agtos.yaml", get_settings())
    return {op["operationId"].rpartition(".handlers.")[2]: (method.upper(), path)
            for path, operations in spec["paths"].items()
            for method, op in operations.items() if method in _HTTP_METHODS}


def _families() -> list:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = metrics.REGISTRY
    return list(registry.collect())


def _samples(families) -> list:
    return [s for family in families for s in family.samples if s.labels.get("surface") == "agtos"]


def request_samples(families=None) -> tuple[dict, dict, float]:
    """(``{(method, path, status): count}``, ``{le: count}`` summed over agtOS requests, the
    latency sum in seconds)."""
    routes = _routes()
    counts, buckets, total_seconds = {}, {}, 0.0
    for sample in _samples(_families() if families is None else families):
        if sample.name == "agentdeck_http_requests_total":
            method, path = routes.get(sample.labels["operation"], ("-", "unmatched"))
            key = (method, path, sample.labels["status"])
            counts[key] = counts.get(key, 0) + sample.value
        elif sample.name == "agentdeck_http_request_duration_seconds_bucket":
            le = float(sample.labels["le"])
            buckets[le] = buckets.get(le, 0) + sample.value
        elif sample.name == "agentdeck_http_request_duration_seconds_sum":
            total_seconds += sample.value
    return counts, buckets, total_seconds


class _AgtosCollector:
    def collect(self):
        families = _families()
        counts, buckets, total_seconds = request_samples(families)
        requests = CounterMetricFamily("agtos_http_requests", "Total HTTP requests",
                                       labels=["method", "path", "status"])
        for (method, path, status), value in sorted(counts.items()):
            requests.add_metric([method, path, status], value)
        yield requests
        ordered = sorted(buckets.items())
        latency = HistogramMetricFamily("agtos_http_request_duration_seconds", "HTTP request latency")
        latency.add_metric([], [(_le(le), value) for le, value in ordered], sum_value=total_seconds)
        yield latency
        # Kept under their own names by the core: the catalog's (named after agtOS already)
        # and the router's per-slot counters.
        yield from (f for f in families if f.name.startswith(_PASSED_THROUGH))


def _le(value: float) -> str:
    return "+Inf" if value == float("inf") else f"{value:g}"


def exposition() -> tuple[bytes, str]:
    """The agtOS Prometheus text and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_AgtosCollector())
    return generate_latest(registry), CONTENT_TYPE


def _percentile(ordered: list[tuple[float, float]], fraction: float) -> int:
    """The ``fraction`` quantile in ms, interpolated inside cumulative histogram buckets."""
    total = ordered[-1][1] if ordered else 0
    if not total:
        return 0
    rank, lower_le, lower_count = fraction * total, 0.0, 0.0
    for le, count in ordered:
        if count >= rank:
            if le == float("inf"):
                return round(lower_le * 1000)
            share = (rank - lower_count) / (count - lower_count) if count > lower_count else 1
            return round((lower_le + (le - lower_le) * share) * 1000)
        lower_le, lower_count = le, count
    return round(lower_le * 1000)


def metrics_summary() -> dict:
    """``GET /health/metrics``: totals since start, mean per-minute rates since start, latency
    percentiles (ms) and uptime. Errors are responses with a 5xx status."""
    counts, buckets, _ = request_samples()
    total = sum(counts.values())
    errors = sum(value for (_, _, status), value in counts.items() if status.startswith("5"))
    uptime = uptime_seconds()
    minutes = max(uptime / 60, 1.0)
    ordered = sorted(buckets.items())
    return {
        "requests": {"total": int(total), "perMinute": round(total / minutes)},
        "errors": {"total": int(errors), "perMinute": round(errors / minutes)},
        "latency": {"p50": _percentile(ordered, 0.5), "p95": _percentile(ordered, 0.95),
                    "p99": _percentile(ordered, 0.99)},
        "uptime": uptime,
    }
