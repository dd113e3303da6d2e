"""The built-in ``log`` alert channel: one structured line per alert on logger ``agentdeck.alerts``.

The line is ``alert {json}`` (the JSON of ``Alert.to_dict()``, on one line whatever the message
holds), at INFO, WARNING or CRITICAL after the alert's severity; the same data is attached to the
record as ``record.alert`` for handlers that format their own. Detail keys that look like
credentials are redacted: an alert raised from a failing request must not leak its token.
"""
from __future__ import annotations

import json
import logging
import re

from agentdeck import hookimpl
from agentdeck.alerts import REDACTED, Alert, AlertChannel, AlertOutcome

log = logging.getLogger("agentdeck.alerts")
LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "critical": logging.CRITICAL}
SECRET_KEY = re.compile(r"secret|token|passw|api[-_]?key|authorization|credential|cookie|private[-_]?key",
                        re.IGNORECASE)


def _redact(value):
    if isinstance(value, dict):
        return {k: REDACTED if SECRET_KEY.search(str(k)) else _redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact(v) for v in value]
    return value


class LogChannel(AlertChannel):
    """Write the alert to the ``agentdeck.alerts`` logger; takes no configuration."""

    name = "log"
    description = "one structured line per alert on the agentdeck.alerts logger"

    def send(self, alert: Alert, config: dict) -> AlertOutcome:
        """Log the alert; delivered as soon as the logging call returns."""
        record = alert.to_dict()
        record["details"] = _redact(record["details"])
        line = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
        log.log(LEVELS[alert.severity], "alert %s", line, extra={"alert": record})
        return AlertOutcome(self.name, "delivered")


@hookimpl
def register_alert_channels(register):
    """Supply the ``log`` channel."""
    register(LogChannel)
