"""The one alert path over HTTP: an agent's crash report emails the site's admins through a real
SMTP server and fires a webhook whose signature a receiver verifies; limits, simulate, test-email,
unsubscribe, and who may call each."""
from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlparse

import pytest

from tests.handlers.owlette.conftest import ORIGIN, api_key, sign_in
from tests.support.receiver import WebhookReceiver

O = {"Origin": ORIGIN}
CRASH = {"type": "process_crash", "siteId": "nyc-office", "machineId": "DESKTOP-ABC123",
         "machineName": "Gallery PC 1",
         "data": {"processName": "TouchDesigner", "errorMessage": "Process exited with code -1073741819"}}


@pytest.fixture
def world(smtp, owlette, client):
    owner = owlette.user("owner@example.com")
    member = owlette.user("member@example.com")
    owlette.user("outsider@example.com")
    owlette.site("nyc-office", owner=owner, members=[member])
    owlette.site("lon-office", owner=owlette.user("lon@example.com"))
    sign_in(client, "owner@example.com")
    return owlette


def _agent_token(client, site="nyc-office", machine="DESKTOP-ABC123"):
    code = client.post("/owlette/api/agent/generate-installer", json={"siteId": site}, headers=O).json()
    tokens = client.post("/owlette/api/agent/auth/exchange",
                         json={"registrationCode": code["registrationCode"], "machineId": machine,
                               "version": "2.1.8"}).json()
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def test_a_crash_report_emails_the_site_admins_and_fires_a_signed_webhook(world, smtp, client):
    receiver = WebhookReceiver()
    with receiver.serve() as hook:
        created = client.post("/owlette/api/admin/webhooks", headers=O, json={
            "siteId": "nyc-office", "name": "ops", "url": f"{hook.url}/owlette", "events": ["process_crash"]})
        assert created.status_code == 200, created.text
        secret = created.json()["secret"]
        listed = client.get("/owlette/api/admin/webhooks?siteId=nyc-office").json()["webhooks"]
        assert [w["id"] for w in listed] == [created.json()["webhookId"]]
        assert secret not in json.dumps(listed)

        agent = _agent_token(client)
        answer = client.post("/owlette/api/agent/alert", json=CRASH, headers=agent)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["success"] and body["emailSent"] and body["webhooksFired"] == 1
        assert body["recipients"] == ["member@example.com", "owner@example.com"]

        [got] = receiver.received
    mails = smtp.wait_for(2)
    assert sorted(m.rcpt_tos[0] for m in mails) == ["member@example.com", "owner@example.com"]
    assert all(m.tls and m.authenticated_as == "relay" for m in mails)
    assert "TouchDesigner" in mails[0].message["Subject"]
    assert "-1073741819" in mails[0].message.get_content()

    assert got.headers["x-owlette-event"] == "process.crashed"
    expected = "sha256=" + hmac.new(secret.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["x-owlette-signature"] == expected
    payload = got.json()
    assert payload["event"] == "process.crashed" and payload["timestamp"].endswith("Z")
    assert payload["site"] == {"id": "nyc-office", "name": "NYC-OFFICE"}
    assert payload["data"]["machine"] == {"id": "DESKTOP-ABC123", "name": "Gallery PC 1"}
    assert payload["data"]["process"] == {"name": "TouchDesigner"}

    logs = client.get("/owlette/api/admin/logs?siteId=nyc-office&action=process_crash").json()["logs"]
    assert logs[0]["level"] == "error" and logs[0]["processName"] == "TouchDesigner"


def test_process_alerts_past_three_an_hour_are_logged_not_emailed(world, smtp, client):
    agent = _agent_token(client)
    answers = [client.post("/owlette/api/agent/alert", json=CRASH, headers=agent).json() for _ in range(4)]
    assert [a["emailSent"] for a in answers] == [True, True, True, False]
    assert answers[3]["reason"] == "rate_limited"
    other = dict(CRASH, data={"processName": "Unity"})
    assert client.post("/owlette/api/agent/alert", json=other, headers=agent).json()["emailSent"]
    assert len(client.get("/owlette/api/admin/logs?siteId=nyc-office").json()["logs"]) >= 5


def test_an_agent_speaks_only_for_its_own_site_and_machine(world, client):
    agent = _agent_token(client)
    assert client.post("/owlette/api/agent/alert", json=CRASH).status_code == 401
    assert client.post("/owlette/api/agent/alert", json=dict(CRASH, machineId="OTHER"), headers=agent).status_code == 403
    assert client.post("/owlette/api/agent/alert", json=dict(CRASH, siteId="lon-office"), headers=agent).status_code == 403
    assert client.post("/owlette/api/agent/alert", json=dict(CRASH, type="bogus"), headers=agent).status_code == 400


def test_simulate_and_logs_are_for_site_admins_only(world, smtp, client):
    simulated = client.post("/owlette/api/admin/events/simulate", headers=O, json={
        "siteId": "nyc-office", "event": "machine_offline", "data": {"machineId": "PC-9"}})
    assert simulated.status_code == 200, simulated.text
    assert simulated.json()["event"] == "machine_offline" and simulated.json()["emailSent"]
    mail = smtp.wait_for(1)[0].message
    assert mail["List-Unsubscribe"].startswith("<http://dashboard.test/owlette/api/unsubscribe?token=")

    assert client.get("/owlette/api/admin/logs?siteId=lon-office").status_code == 403
    assert client.get("/owlette/api/admin/logs?siteId=nyc-office&since=yesterday").status_code == 400
    assert client.get("/owlette/api/admin/logs?siteId=nyc-office&since=0").status_code == 200
    key = api_key(client, "outsider@example.com")
    outsider = {"x-api-key": key}
    client.cookies.clear()
    assert client.post("/owlette/api/admin/events/simulate", headers=outsider,
                       json={"siteId": "nyc-office", "event": "process_crash"}).status_code == 403
    assert client.get("/owlette/api/admin/logs?siteId=nyc-office", headers=outsider).status_code == 403
    assert client.get("/owlette/api/admin/logs?siteId=nyc-office").status_code == 401
    assert client.get("/owlette/api/admin/webhooks?siteId=nyc-office", headers=outsider).status_code == 403


def test_unsubscribe_stops_health_email_for_that_user(world, smtp, client):
    client.post("/owlette/api/admin/events/simulate", headers=O,
                json={"siteId": "nyc-office", "event": "machine_offline"})
    mails = smtp.wait_for(2)
    owner_mail = next(m for m in mails if m.rcpt_tos == ["owner@example.com"]).message
    link = owner_mail["List-Unsubscribe"].strip("<>")
    token = parse_qs(urlparse(link).query)["token"][0]
    assert client.get(f"/owlette/api/unsubscribe?token={token}x", follow_redirects=False).status_code == 400
    forged = token.partition(".")[0] + ".\u00e9"  # non-ASCII where the MAC goes
    assert client.get("/owlette/api/unsubscribe", params={"token": forged},
                      follow_redirects=False).json() == {"error": "Invalid unsubscribe token"}
    done = client.get(f"/owlette/api/unsubscribe?token={token}", follow_redirects=False)
    assert done.status_code == 302 and "unsubscribed=true" in done.headers["location"]
    again = client.post("/owlette/api/admin/events/simulate", headers=O,
                        json={"siteId": "nyc-office", "event": "machine_offline"}).json()
    assert again["recipients"] == ["member@example.com"]
    crash = client.post("/owlette/api/admin/events/simulate", headers=O,
                        json={"siteId": "nyc-office", "event": "process_crash"}).json()
    assert crash["recipients"] == ["member@example.com", "owner@example.com"]


def test_test_email_and_user_created(world, smtp, client):
    sent = client.post("/owlette/api/test-email", headers=O, json={"siteId": "nyc-office"})
    assert sent.status_code == 200 and sent.json()["recipients"] == ["owner@example.com"]
    assert client.post("/owlette/api/test-email", headers=O, json={}).status_code == 403  # not a global admin
    world.user("root@example.com", admin=True)
    created = client.post("/owlette/api/webhooks/user-created", headers=O, json={"sendWelcome": True}).json()
    assert created == {"success": True, "adminNotified": True, "welcomeSent": True}
    # Both bodies are optional: none at all is the same as {}.
    assert client.post("/owlette/api/test-email", headers=O).json() == {"error": "Forbidden: Admin access required"}
    bare = client.post("/owlette/api/webhooks/user-created", headers=O)
    assert bare.status_code == 200 and bare.json()["welcomeSent"] is False
    client.cookies.clear()
    assert client.post("/owlette/api/test-email", json={}, headers={"x-api-key": "owk_nope"}).status_code == 401
    assert client.post("/owlette/api/webhooks/user-created", json={}, headers=O).status_code == 401
