"""The alert service: the Alert record, channel look-up, configuration checks and dispatch."""
from __future__ import annotations

import logging
from datetime import datetime

import pytest

from agentdeck import hookimpl
from agentdeck.alerts import (
    Alert, AlertChannel, AlertError, AlertOutcome, ChannelConfigError, ConfigField, UnknownChannel,
    available_channels, dispatch_alert, redact_config,
)
from agentdeck.errors import InvalidInput
from agentdeck.plugins.manager import get_plugin_manager


class RecordingChannel(AlertChannel):
    """A channel of every field type that keeps what it was asked to send."""

    name = "recording"
    description = "keeps alerts in memory"
    config_fields = (
        ConfigField("target", str, required=True),
        ConfigField("token", str, secret=True),
        ConfigField("retries", int, default=3),
        ConfigField("ratio", float, default=0.5),
        ConfigField("loud", bool, default=False),
    )
    sent: list = []

    def check_config(self, config):
        if config["target"] == "nowhere":
            raise ChannelConfigError("recording: 'target' cannot be nowhere")

    def send(self, alert, config):
        if config["target"] == "explode":
            raise RuntimeError("the disk is on fire")
        RecordingChannel.sent.append((alert, config))
        return AlertOutcome(self.name, "delivered")


class NotAChannel:
    name = "impostor"


class RecordingPlugin:
    @hookimpl
    def register_alert_channels(self, register):
        register(RecordingChannel)
        register(NotAChannel)


@pytest.fixture
def recording(settings):
    RecordingChannel.sent = []
    get_plugin_manager().register(RecordingPlugin(), name="test-alerts")
    return RecordingChannel


def test_alert_defaults_and_wire_form():
    alert = Alert(title="Queue backing up", message="512 waiting")
    assert (alert.severity, alert.source, alert.details) == ("info", "agentdeck", {})
    assert len(alert.id) == 36 and isinstance(alert.created_at, datetime)
    data = alert.to_dict()
    assert data["created_at"].endswith("Z")
    assert set(data) == {"id", "title", "message", "severity", "source", "created_at", "details"}


@pytest.mark.parametrize("kwargs, message", [
    ({"severity": "fatal"}, "severity must be one of info, warning, critical"),
    ({"title": "  "}, "needs a title"),
])
def test_alert_refuses_bad_fields(kwargs, message):
    with pytest.raises(AlertError, match=message):
        Alert(**{"title": "t", "message": "m", **kwargs})


def test_alert_errors_are_client_errors():
    assert issubclass(UnknownChannel, InvalidInput) and issubclass(ChannelConfigError, InvalidInput)
    assert UnknownChannel("x").status == 400


def test_builtin_channels_are_available(settings):
    assert {"log", "webhook"} <= set(available_channels())


def test_unknown_channel_is_refused_with_the_choices(settings):
    with pytest.raises(UnknownChannel, match=r"unknown alert channel 'pager'; installed: .*log.*webhook"):
        dispatch_alert("pager", {}, Alert(title="t", message="m"))


def test_plugin_channel_gets_checked_config_with_defaults(recording, caplog):
    caplog.set_level(logging.DEBUG, logger="agentdeck.alerts.dispatch")
    alert = Alert(title="t", message="m", severity="critical")
    outcome = dispatch_alert("recording", {"target": "ops", "ratio": 1, "token": "tok-123"}, alert)

    assert outcome == AlertOutcome("recording", "delivered")
    [(sent_alert, config)] = recording.sent
    assert sent_alert is alert
    assert config == {"target": "ops", "token": "tok-123", "retries": 3, "ratio": 1.0, "loud": False}
    assert "'token': '[redacted]'" in caplog.text and "tok-123" not in caplog.text


@pytest.mark.parametrize("config, message", [
    ({}, "'target' is required"),
    ({"target": 7}, "'target' must be a string, not int"),
    ({"target": "ops", "retries": 2.5}, "'retries' must be an integer, not float"),
    ({"target": "ops", "loud": 1}, "'loud' must be true or false, not int"),
    ({"target": "ops", "ratio": "half"}, "'ratio' must be a number, not str"),
    ({"target": "ops", "colour": "red"}, r"unknown configuration key\(s\) colour; accepted: target, token"),
    ({"target": "nowhere"}, "cannot be nowhere"),
    (["target"], "the configuration must be an object"),
])
def test_bad_config_is_refused_before_sending(recording, config, message):
    with pytest.raises(ChannelConfigError, match=message):
        dispatch_alert("recording", config, Alert(title="t", message="m"))
    assert recording.sent == []


def test_a_channel_that_raises_gives_a_failed_outcome(recording, caplog):
    caplog.set_level(logging.ERROR, logger="agentdeck.alerts.dispatch")
    outcome = dispatch_alert("recording", {"target": "explode", "token": "tok-123"}, Alert(title="t", message="m"))

    assert (outcome.status, outcome.delivered) == ("failed", False)
    assert outcome.detail == "RuntimeError: the disk is on fire"
    assert "channel recording raised" in caplog.text
    assert "tok-123" not in caplog.text


def test_a_registered_class_that_is_not_a_channel_is_reported(recording):
    with pytest.raises(TypeError, match="'impostor' is registered as .*not an AlertChannel"):
        dispatch_alert("impostor", {}, Alert(title="t", message="m"))


def test_redact_config_hides_secret_fields():
    shown = redact_config(RecordingChannel(), {"target": "ops", "token": "tok-123"})
    assert shown == {"target": "ops", "token": "[redacted]"}


def test_the_base_channel_has_no_send():
    with pytest.raises(NotImplementedError):
        AlertChannel().send(Alert(title="t", message="m"), {})
