"""agtOS health handlers."""
from agentdeck.agtos.platform import health, metrics


def get_api_health():
    """GET /api/health"""
    body, healthy = health.health_report()
    return body, 200 if healthy else 503


def get_health():
    """GET /health"""
    _, healthy = health.health_report()
    return {"status": "healthy" if healthy else "unhealthy", "timestamp": health.now_ms()}, 200 if healthy else 503


def get_health_metrics():
    """GET /health/metrics"""
    return metrics.metrics_summary(), 200


def get_service_health(serviceName):
    """GET /health/{serviceName}"""
    body, healthy = health.service_health(serviceName)
    return body, 200 if healthy else 503
