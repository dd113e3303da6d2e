"""GET /api/cron/health-check: machines gone silent are alerted once an hour, one email per site."""
from __future__ import annotations

from datetime import timedelta

import pytest

from agentdeck.settings import reset_settings
from agentdeck.timeutil import utcnow
from tests.support.receiver import WebhookReceiver

SECRET = {"X-Cron-Secret": "cron-s3cret"}


@pytest.fixture
def fleet(smtp, owlette, client, monkeypatch):
    monkeypatch.setenv("AGENTDECK_OWLETTE_CRON_SECRET", "cron-s3cret")
    reset_settings()
    from agentdeck.owlette.fleet import machines
    from agentdeck.storage.db import writing
    from agentdeck.storage.models.owlette_fleet import Machine

    owlette.site("nyc-office", owner=owlette.user("owner@example.com"))
    for name in ("PC-1", "PC-2", "PC-3"):
        machines.heartbeat("nyc-office", name, {"online": True})
    machines.heartbeat("nyc-office", "PC-3", {"online": False})  # shut down cleanly
    with writing():
        Machine.update(last_heartbeat_at=utcnow() - timedelta(minutes=10)).where(
            Machine.machine_id.in_(["PC-1", "PC-3"])).execute()
    return owlette


def test_offline_machines_are_alerted_once_an_hour(fleet, smtp, client):
    from agentdeck.owlette import webhooks

    receiver = WebhookReceiver()
    with receiver.serve() as hook:
        webhooks.create("nyc-office", "ops", f"{hook.url}/h", ["machine.offline"])
        first = client.get("/owlette/api/cron/health-check", headers=SECRET)
        assert first.status_code == 200, first.text
        assert first.json() == {"ok": True, "sitesChecked": 1, "machinesChecked": 3, "alertsSent": 1}
        [mail] = smtp.wait_for(1)
        assert "PC-1" in mail.message.get_content() and "PC-2" not in mail.message.get_content()
        assert mail.message["List-Unsubscribe"]
        [delivery] = receiver.received
        assert delivery.json()["event"] == "machine.offline"
        assert delivery.json()["data"]["machine"]["id"] == "PC-1"
        again = client.get("/owlette/api/cron/health-check", headers=SECRET).json()
        assert again["alertsSent"] == 0 and len(smtp.messages) == 1


def test_the_cron_secret_is_required(fleet, client, monkeypatch):
    assert client.get("/owlette/api/cron/health-check").status_code == 401
    assert client.get("/owlette/api/cron/health-check", headers={"X-Cron-Secret": "nope"}).status_code == 401
    long = client.get("/owlette/api/cron/health-check", headers={"X-Cron-Secret": "0" * 600})
    assert long.status_code == 401 and long.json() == {"error": "Unauthorized"}
    monkeypatch.delenv("AGENTDECK_OWLETTE_CRON_SECRET")
    reset_settings()
    assert client.get("/owlette/api/cron/health-check", headers={"X-Cron-Secret": ""}).status_code == 401
