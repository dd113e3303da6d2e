"""The built-in webhook channel against a real receiver on loopback."""
from __future__ import annotations

from datetime import timedelta

import pytest

from agentdeck.alerts import Alert, ChannelConfigError, dispatch_alert
from agentdeck.deliveries import SIGNATURE_HEADER, backoff_seconds, list_deliveries, retry_due_deliveries
from agentdeck.plugins.builtin.channels.webhook import DELIVERY_SOURCE
from agentdeck.settings import reset_settings
from agentdeck.storage.models.core import Delivery
from agentdeck.timeutil import utcnow
from tests.plugins.builtin.channels.receiver import serving
from tests.support.receiver import WebhookReceiver


@pytest.fixture
def alert():
    return Alert(title="Disk almost full", message="92% used on /var", severity="warning",
                 source="tests", details={"host": "node-1"})


def _config(receiver, **extra):
    return {"url": receiver.url, "secret": "s3cret", **extra}


def _log_entry(delivery_id):
    return next(d for d in list_deliveries(DELIVERY_SOURCE) if d.delivery_id == delivery_id)


def _make_retry_due(delivery_id):
    # Stands in for waiting out the backoff: the sweep takes whatever is due by now.
    Delivery.update(next_attempt_at=utcnow() - timedelta(seconds=1)).where(Delivery.id == delivery_id).execute()


def _scheduled_delay(delivery_id) -> float:
    row = Delivery.get_by_id(delivery_id)
    return (row.next_attempt_at - row.updated_at).total_seconds()


def test_alert_is_posted_as_signed_json(storage, receiver, alert):
    outcome = dispatch_alert("webhook", _config(receiver), alert)

    assert outcome.delivered and outcome.attempts == 1 and outcome.delivery_id
    [request] = receiver.received
    assert receiver.signature_ok(request)
    assert request.json() == alert.to_dict()
    assert request.headers["content-type"] == "application/json"
    entry = _log_entry(outcome.delivery_id)
    assert (entry.status, entry.attempts, entry.status_code) == ("delivered", 1, 200)


def test_without_a_secret_nothing_is_signed(storage, alert):
    unsigned = WebhookReceiver()
    with serving(unsigned) as url:
        outcome = dispatch_alert("webhook", {"url": url}, alert)
    assert outcome.delivered
    assert SIGNATURE_HEADER.lower() not in unsigned.received[0].headers


def test_the_signing_secret_is_not_stored_in_clear(storage, receiver, alert):
    outcome = dispatch_alert("webhook", _config(receiver), alert)
    stored = Delivery.get_by_id(outcome.delivery_id).secret
    assert stored.startswith("v1:") and "s3cret" not in stored


def test_failures_are_retried_with_exponential_backoff_until_delivered(storage, receiver, alert):
    receiver.script = [500, 500]
    outcome = dispatch_alert("webhook", _config(receiver), alert)
    assert (outcome.status, outcome.attempts, outcome.detail) == ("pending", 1, "HTTP 500")
    assert backoff_seconds(1) <= _scheduled_delay(outcome.delivery_id) < backoff_seconds(1) + 2
    assert retry_due_deliveries() == 0  # not due yet

    _make_retry_due(outcome.delivery_id)
    assert retry_due_deliveries() == 1
    entry = _log_entry(outcome.delivery_id)
    assert (entry.status, entry.attempts, entry.status_code, entry.error) == ("pending", 2, 500, "HTTP 500")
    assert backoff_seconds(2) <= _scheduled_delay(outcome.delivery_id) < backoff_seconds(2) + 2

    _make_retry_due(outcome.delivery_id)
    assert retry_due_deliveries() == 1
    entry = _log_entry(outcome.delivery_id)
    assert (entry.status, entry.attempts, entry.status_code, entry.error) == ("delivered", 3, 200, None)
    assert len(receiver.received) == 3
    assert all(receiver.signature_ok(r) and r.json()["id"] == alert.id for r in receiver.received)


def test_delivery_fails_once_attempts_run_out(storage, receiver, alert):
    receiver.status = 500
    outcome = dispatch_alert("webhook", _config(receiver, max_attempts=2), alert)
    _make_retry_due(outcome.delivery_id)
    retry_due_deliveries()

    entry = _log_entry(outcome.delivery_id)
    assert (entry.status, entry.attempts, entry.error) == ("failed", 2, "HTTP 500")
    assert Delivery.get_by_id(outcome.delivery_id).next_attempt_at is None
    assert retry_due_deliveries() == 0
    assert len(receiver.received) == 2


def test_a_wrong_secret_is_rejected_by_the_receiver(storage, receiver, alert):
    outcome = dispatch_alert("webhook", {"url": receiver.url, "secret": "not-it", "max_attempts": 1}, alert)
    assert (outcome.status, outcome.detail) == ("failed", "HTTP 401")
    assert not receiver.signature_ok(receiver.received[0])


def test_private_url_is_refused_when_private_targets_are_not_allowed(storage, receiver, alert, monkeypatch):
    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "false")
    reset_settings()

    with pytest.raises(ChannelConfigError, match="private or loopback.*AGENTDECK_OUTBOUND_ALLOW_PRIVATE"):
        dispatch_alert("webhook", _config(receiver), alert)
    assert receiver.received == []
    assert list_deliveries(DELIVERY_SOURCE) == []


@pytest.mark.parametrize("config, message", [
    ({}, "'url' is required"),
    ({"url": "ftp://example.com/hook"}, "scheme 'ftp' is not allowed"),
    ({"url": "http://127.0.0.1:9/hook", "max_attempts": 0}, "between 1 and 20"),
    ({"url": "http://127.0.0.1:9/hook", "max_attempts": "3"}, "'max_attempts' must be an integer"),
    ({"url": "http://127.0.0.1:9/hook", "max_attempts": True}, "'max_attempts' must be an integer"),
    ({"url": "http://127.0.0.1:9/hook", "retries": 3}, "unknown configuration key.*retries"),
])
def test_bad_configuration_is_refused_clearly(settings, config, message):
    with pytest.raises(ChannelConfigError, match=message):
        dispatch_alert("webhook", config, Alert(title="t", message="m"))
