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


def test_one_start_sends_one_session_request_while_the_sweep_runs(live_server, app, user_headers):
    """The retry sweep leaves alone a session request whose second inline try is still waiting."""
    import asyncio
    import threading
    from datetime import timedelta

    import httpx
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from agentdeck import deliveries
    from agentdeck.augmentos import apps
    from agentdeck.timeutil import utcnow
    from tests.support.servers import ThreadedServer

    received, waiting, answer = [], threading.Event(), threading.Event()

    async def webhook(request):
        received.append(await request.json())
        if len(received) == 1:
            return JSONResponse({"status": "error", "message": "Failed to connect"}, status_code=500)
        waiting.set()
        while not answer.is_set():
            await asyncio.sleep(0.01)
        return JSONResponse({"status": "success"})

    with ThreadedServer(Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])) as tpa_server:
        apps.create_app("com.example.slow", "Slow", public_url=tpa_server.url)
        result = {}
        start = threading.Thread(target=lambda: result.setdefault("response", httpx.post(
            f"{live_server}{SESSIONS}", json={"packageName": "com.example.slow"}, headers=user_headers, timeout=30)))
        start.start()
        assert waiting.wait(10), "the second try never came"
        Delivery.update(next_attempt_at=utcnow() - timedelta(seconds=1)).execute()
        assert deliveries.retry_due_deliveries() == 0
        answer.set()
        start.join(30)
    assert result["response"].status_code == 201
    assert [r["type"] for r in received] == ["session_request", "session_request"]


def test_a_session_stopped_while_its_start_webhook_is_out_stays_stopped(client, tpa, user_headers, monkeypatch):
    from agentdeck.augmentos import sessions

    real = sessions.send_session_request

    def stopped_meanwhile(session, url, websocket_url=None):
        outcome = real(session, url, websocket_url)
        # the user stops it before the TPA's answer is recorded
        assert client.post(f"{SESSIONS}/{session.id}/stop", headers=user_headers).status_code == 200
        return outcome

    monkeypatch.setattr(sessions, "send_session_request", stopped_meanwhile)
    response = client.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers)
    assert response.status_code in (200, 201), response.text
    session_id = response.json()["data"]["sessionId"]
    assert response.json()["data"]["status"] == "stopped"
    from agentdeck.storage.models.augmentos import AppSession

    assert AppSession.get_by_id(session_id).status == "stopped"
