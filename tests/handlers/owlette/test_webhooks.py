"""Webhooks over HTTP: the https rule, the secret shown once, test deliveries, deletion, and the
webhook disabled after 10 straight failed attempts."""
from __future__ import annotations

import pytest

from agentdeck.settings import reset_settings
from tests.handlers.owlette.conftest import ORIGIN, api_key, sign_in
from tests.support.receiver import WebhookReceiver

O = {"Origin": ORIGIN}


@pytest.fixture
def owner(owlette, client):
    owlette.site("nyc-office", owner=owlette.user("owner@example.com"))
    owlette.site("lon-office", owner=owlette.user("lon@example.com"))
    sign_in(client, "owner@example.com")


def _create(client, url, events=("process.crashed",), site="nyc-office"):
    return client.post("/owlette/api/admin/webhooks", headers=O,
                       json={"siteId": site, "name": "ops", "url": url, "events": list(events)})


def test_urls_must_be_https_except_private_targets_where_allowed(owner, client, monkeypatch):
    assert _create(client, "http://hooks.example.com/x").status_code == 400
    assert _create(client, "ftp://hooks.example.com/x").status_code == 400
    assert _create(client, "https://[::1/x").json() == {"error": "Webhook URL must be a valid https URL"}
    long_label = _create(client, "https://" + "h" * 64 + ".example.com/x")  # no resolver takes it
    assert long_label.status_code == 400 and long_label.json()["error"].startswith("Webhook URL refused: ")
    assert _create(client, "https://hooks.example.com/x", events=["nope"]).status_code == 400
    assert _create(client, "https://hooks.example.com/x").status_code == 200
    assert _create(client, "http://127.0.0.1:9/x").status_code == 200
    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "false")
    reset_settings()
    assert _create(client, "http://127.0.0.1:9/x").status_code == 400
    assert _create(client, "https://10.0.0.5/x").status_code == 400


def test_test_delivery_delete_and_other_sites(owner, client):
    receiver = WebhookReceiver(script=[200, 500])
    with receiver.serve() as hook:
        webhook_id = _create(client, f"{hook.url}/h").json()["webhookId"]
        ok = client.post("/owlette/api/webhooks/test", headers=O, json={"webhookId": webhook_id, "siteId": "nyc-office"})
        assert ok.json() == {"success": True, "status": 200}
        failed = client.post("/owlette/api/webhooks/test", headers=O, json={"webhookId": webhook_id, "siteId": "nyc-office"})
        assert failed.json() == {"success": False, "status": 500, "error": "HTTP 500"}
        assert receiver.received[0].headers["x-owlette-event"] == "webhook.test"
    assert client.post("/owlette/api/webhooks/test", headers=O,
                       json={"webhookId": webhook_id, "siteId": "lon-office"}).status_code == 403
    assert client.request("DELETE", f"/owlette/api/admin/webhooks?siteId=nyc-office&webhookId=wh_nope", headers=O).status_code == 404
    outsider = {"x-api-key": api_key(client, "lon@example.com")}
    client.cookies.clear()
    assert client.request("DELETE", f"/owlette/api/admin/webhooks?siteId=nyc-office&webhookId={webhook_id}",
                          headers=outsider).status_code == 403
    assert _create(client, "https://hooks.example.com/x").status_code == 401
    sign_in(client, "owner@example.com")
    assert client.request("DELETE", f"/owlette/api/admin/webhooks?siteId=nyc-office&webhookId={webhook_id}",
                          headers=O).status_code == 200
    assert client.get("/owlette/api/admin/webhooks?siteId=nyc-office").json()["webhooks"] == []


def test_ten_straight_failures_disable_a_webhook(owner, client):
    from agentdeck.owlette import webhooks

    receiver = WebhookReceiver(status=503)
    with receiver.serve() as hook:
        _create(client, f"{hook.url}/h")
        for _ in range(10):
            assert webhooks.fire("nyc-office", "process_crash", {"machine": {"id": "m"}}) == 1
        [listed] = client.get("/owlette/api/admin/webhooks?siteId=nyc-office").json()["webhooks"]
        assert listed["enabled"] is False and listed["consecutiveFailures"] == 10
        assert webhooks.fire("nyc-office", "process_crash", {"machine": {"id": "m"}}) == 0
        assert len(receiver.received) == 10
