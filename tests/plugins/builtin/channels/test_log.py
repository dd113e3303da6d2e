"""The built-in log channel: one structured line per alert on logger ``agentdeck.alerts``."""
from __future__ import annotations

import json
import logging

import pytest

from agentdeck.alerts import Alert, ChannelConfigError, dispatch_alert


@pytest.fixture
def alert_records(settings, caplog):
    caplog.set_level(logging.DEBUG, logger="agentdeck.alerts")
    return lambda: [r for r in caplog.records if r.name == "agentdeck.alerts"]


@pytest.mark.parametrize("severity, level", [
    ("info", logging.INFO), ("warning", logging.WARNING), ("critical", logging.CRITICAL),
])
def test_one_line_per_alert_at_the_severity_level(alert_records, severity, level):
    alert = Alert(title="Run stuck", message="step 3\nhas not moved for 10 minutes",
                  severity=severity, source="augur", details={"run_id": "r-1"})

    outcome = dispatch_alert("log", {}, alert)

    assert outcome.delivered
    [record] = alert_records()
    assert record.levelno == level
    line = record.getMessage()
    assert "\n" not in line
    prefix, _, data = line.partition(" ")
    assert prefix == "alert"
    assert json.loads(data) == alert.to_dict()
    assert record.alert == alert.to_dict()


def test_credentials_in_details_are_not_logged(alert_records):
    details = {"api_key": "sk-live-123", "request": {"Authorization": "Bearer abc", "path": "/v1/runs"},
               "attempts": [{"password": "hunter2"}]}

    dispatch_alert("log", None, Alert(title="Upstream refused", message="401", details=details))

    [record] = alert_records()
    text = record.getMessage()
    for secret in ("sk-live-123", "Bearer abc", "hunter2"):
        assert secret not in text
    logged = json.loads(text.partition(" ")[2])["details"]
    assert logged == {"api_key": "[redacted]", "request": {"Authorization": "[redacted]", "path": "/v1/runs"},
                      "attempts": [{"password": "[redacted]"}]}


def test_the_log_channel_takes_no_configuration(settings):
    with pytest.raises(ChannelConfigError, match="unknown configuration key.*level.*accepted: none"):
        dispatch_alert("log", {"level": "debug"}, Alert(title="t", message="m"))
