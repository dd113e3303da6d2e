"""Starting and stopping app sessions: the TPA server hears about each by webhook."""
from agentdeck.storage.models.core import Delivery

SESSIONS = "/augmentos/api/app-sessions"


def test_start_sends_session_request_to_public_url_webhook(client, tpa, user_headers):
    response = client.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers)
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["sessionId"] == f"alice@example.com-{tpa.package}" and data["status"] == "active"
    [request] = tpa.receiver.received
    assert request.path == "/webhook" and request.json()["type"] == "session_request"


def test_start_prefers_the_registered_webhook(client, tpa, user_headers):
    client.post("/augmentos/api/tpa-server/register", json={
        "packageName": tpa.package, "apiKey": tpa.api_key, "webhookUrl": f"{tpa.url}/registered-hook"})
    client.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers)
    assert tpa.receiver.received[-1].path == "/registered-hook"


def test_start_tries_twice_then_reports_502(client, tpa, user_headers):
    tpa.receiver.status = 500
    response = client.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers)
    assert response.status_code == 502
    assert response.json()["success"] is False and "HTTP 500" in response.json()["error"]
    assert len(tpa.receiver.received) == 2
    delivery = Delivery.get(Delivery.source == "augmentos.session_request")
    assert delivery.status == "failed" and delivery.attempts == 2


def test_second_try_succeeds(client, tpa, user_headers):
    tpa.receiver.script = [503]
    response = client.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers)
    assert response.status_code == 201 and len(tpa.receiver.received) == 2


def test_stop_sends_stop_request(client, tpa, user_headers):
    session_id = client.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers).json()["data"]["sessionId"]
    response = client.post(f"{SESSIONS}/{session_id}/stop", headers=user_headers)
    assert response.status_code == 200 and response.json()["data"]["status"] == "stopped"
    body = tpa.receiver.received[-1].json()
    assert body == {**body, "type": "stop_request", "sessionId": session_id, "reason": "user_disabled"}


def test_sessions_need_a_core_token_and_are_private(client, tpa, user_headers):
    assert client.post(SESSIONS, json={"packageName": tpa.package}).status_code == 401
    bad = client.post(SESSIONS, json={"packageName": tpa.package}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json() == {"success": False, "error": "Unauthorized"}
    session_id = client.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers).json()["data"]["sessionId"]
    from agentdeck.augmentos.users import issue_core_token

    mallory = {"Authorization": f"Bearer {issue_core_token('mallory@example.com')}"}
    assert client.post(f"{SESSIONS}/{session_id}/stop", headers=mallory).status_code == 404
    assert client.get(SESSIONS, headers=mallory).json()["data"] == []


def test_unknown_app_is_404(client, user_headers):
    response = client.post(SESSIONS, json={"packageName": "com.example.none"}, headers=user_headers)
    assert response.status_code == 404
