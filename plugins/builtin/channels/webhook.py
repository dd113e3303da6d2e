"""The built-in ``webhook`` alert channel: the alert POSTed as JSON to an operator's URL.

Delivery is ``agentdeck.deliveries``: signed with HMAC-SHA256 when a ``secret`` is configured,
tried once inline, then retried with exponential backoff by the maintenance sweep, and every
attempt's outcome kept in the delivery log under source ``alerts.webhook``.
"""
from __future__ import annotations

from agentdeck import deliveries, hookimpl, outbound
from agentdeck.alerts import Alert, AlertChannel, AlertOutcome, ChannelConfigError, ConfigField

DELIVERY_SOURCE = "alerts.webhook"
MAX_ATTEMPTS_LIMIT = 20


class WebhookChannel(AlertChannel):
    """POST the alert's JSON (``Alert.to_dict()``) to ``url``."""

    name = "webhook"
    description = "POST the alert as JSON; HMAC-SHA256 signed when a secret is set; retried with backoff"
    config_fields = (
        ConfigField("url", str, required=True, help="http(s) URL to POST to"),
        ConfigField("secret", str, secret=True,
                    help="signs each request: X-Agentdeck-Signature over timestamp.body"),
        ConfigField("max_attempts", int, default=5,
                    help=f"tries before the delivery is marked failed (1-{MAX_ATTEMPTS_LIMIT})"),
    )

    def check_config(self, config: dict) -> None:
        """The URL must be one agentdeck may call, and ``max_attempts`` within bounds."""
        try:
            outbound.validate_url(config["url"])
        except outbound.OutboundRefused as exc:
            hint = " (AGENTDECK_OUTBOUND_ALLOW_PRIVATE=true allows such targets)" if "private" in str(exc) else ""
            raise ChannelConfigError(f"webhook: url refused: {exc}{hint}") from exc
        if not 1 <= config["max_attempts"] <= MAX_ATTEMPTS_LIMIT:
            raise ChannelConfigError(f"webhook: 'max_attempts' must be between 1 and {MAX_ATTEMPTS_LIMIT}")

    def send(self, alert: Alert, config: dict) -> AlertOutcome:
        """Record the delivery and make its first attempt now; later ones come from the sweep."""
        outcome = deliveries.deliver(DELIVERY_SOURCE, config["url"], alert.to_dict(),
                                     secret=config.get("secret") or None,
                                     max_attempts=config["max_attempts"])
        return AlertOutcome(self.name, outcome.status, detail=outcome.error,
                            delivery_id=outcome.delivery_id, attempts=outcome.attempts)


@hookimpl
def register_alert_channels(register):
    """Supply the ``webhook`` channel."""
    register(WebhookChannel)
