"""GET /api/cron/health-check: the scheduled scan for machines gone offline."""
import hmac

from connexion import request

from agentdeck.errors import Unauthorized
from agentdeck.owlette import alerting
from agentdeck.settings import get_settings


def check_secret(given: str | None, expected: str) -> None:
    """``Unauthorized`` unless ``given`` is the configured secret (never when none is set)."""
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("Unauthorized")


def health_check():
    """GET /api/cron/health-check"""
    check_secret(request.headers.get("x-cron-secret"), get_settings().owlette_cron_secret)
    return alerting.health_check(), 200
