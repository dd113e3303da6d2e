"""TPA server registration, heartbeats and restart recovery against a real webhook receiver."""
import hashlib
from datetime import timedelta

from agentdeck import deliveries
from agentdeck.augmentos.tpa_servers import mark_silent_servers_offline
from agentdeck.storage.models.augmentos import TpaServer
from agentdeck.timeutil import utcnow

BASE = "/augmentos/api/tpa-server"


def _register(client, tpa, **extra):
    body = {"packageName": tpa.package, "apiKey": tpa.api_key, "webhookUrl": f"{tpa.url}/webhook",
            "serverUrls": "wss://cloud.augmentos.org/tpa-ws", **extra}
    return client.post(f"{BASE}/register", json=body)


def test_register_returns_new_registration_each_time(client, tpa):
    first, second = _register(client, tpa), _register(client, tpa)
    assert first.status_code == 201 and first.json()["success"] is True
    assert first.json()["registrationId"] != second.json()["registrationId"]


def test_register_rejects_bad_key_and_missing_fields(client, tpa):
    response = _register(client, tpa, apiKey="wrong")
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Invalid API key"}
    response = client.post(f"{BASE}/register", json={"packageName": tpa.package, "apiKey": tpa.api_key})
    assert response.status_code == 400
    assert response.json() == {"success": False,
                               "error": "Missing required fields: packageName and webhookUrl are required"}


def test_register_refuses_a_webhook_url_that_may_not_be_called(client, tpa):
    response = _register(client, tpa, webhookUrl="file:///etc/passwd")
    assert response.status_code == 400 and "webhookUrl is not allowed" in response.json()["error"]


def test_heartbeat_and_unknown_registration(client, tpa):
    registration = _register(client, tpa).json()["registrationId"]
    response = client.post(f"{BASE}/heartbeat", json={"registrationId": registration})
    assert response.status_code == 200 and response.json() == {"success": True}
    response = client.post(f"{BASE}/heartbeat", json={"registrationId": "nope"})
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Registration not found"}


def test_silent_server_goes_offline_and_heartbeat_revives_it(client, tpa, settings, monkeypatch):
    registration = _register(client, tpa).json()["registrationId"]
    TpaServer.update(last_heartbeat_at=utcnow() - timedelta(hours=1)).execute()
    assert mark_silent_servers_offline() == 1
    assert TpaServer.get_by_id(registration).status == "offline"
    client.post(f"{BASE}/heartbeat", json={"registrationId": registration})
    assert TpaServer.get_by_id(registration).status == "active"


def _start(client, headers, package):
    return client.post("/augmentos/api/app-sessions", json={"packageName": package}, headers=headers)


def test_restart_resends_every_active_session_signed(client, tpa, user_headers):
    from agentdeck.augmentos.users import issue_core_token

    registration = _register(client, tpa).json()["registrationId"]
    bob = {"Authorization": f"Bearer {issue_core_token('bob@example.com')}"}
    assert _start(client, user_headers, tpa.package).status_code == 201
    assert _start(client, bob, tpa.package).status_code == 201
    client.post(f"/augmentos/api/app-sessions/bob@example.com-{tpa.package}/stop", headers=bob)
    tpa.receiver.received.clear()

    response = client.post(f"{BASE}/restart", json={"registrationId": registration})
    assert response.status_code == 200
    assert response.json() == {"success": True, "recoveredSessions": 1}
    [request] = tpa.receiver.received
    body = request.json()
    assert request.path == "/webhook"
    assert body["type"] == "session_request" and body["sessionId"] == f"alice@example.com-{tpa.package}"
    assert body["userId"] == "alice@example.com" and body["augmentOSWebsocketUrl"]
    secret = hashlib.sha256(tpa.api_key.encode()).hexdigest()
    assert deliveries.verify(secret, request.headers["x-agentdeck-timestamp"], request.body,
                             request.headers["x-agentdeck-signature"])


def test_restart_counts_only_sessions_the_server_accepts(client, tpa, user_headers):
    registration = _register(client, tpa).json()["registrationId"]
    _start(client, user_headers, tpa.package)
    tpa.receiver.status = 500
    response = client.post(f"{BASE}/restart", json={"registrationId": registration})
    assert response.json()["recoveredSessions"] == 0
    sessions = client.get("/augmentos/api/app-sessions", headers=user_headers).json()["data"]
    assert sessions[0]["status"] == "error"


def test_restart_unknown_registration_is_404(client):
    response = client.post(f"{BASE}/restart", json={"registrationId": "nope"})
    assert response.status_code == 404 and response.json()["error"] == "Registration not found"


def test_reference_example_registers_with_private_targets_refused(client, tpa, monkeypatch):
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "false")
    reset_settings()
    example = _register(client, tpa, webhookUrl="https://myapp.example.com/webhook")
    assert example.status_code == 201
    for private in ("http://127.0.0.1:9000/webhook", "http://localhost/webhook", "http://10.0.0.5/webhook"):
        response = _register(client, tpa, webhookUrl=private)
        assert response.status_code == 400, private


def test_nul_characters_are_a_client_error_on_every_backend(client, tpa):
    response = _register(client, tpa, webhookUrl="https://example.com/\x00hook", serverUrls="a\x00b")
    assert response.status_code in (201, 400)
    response = client.post(f"{BASE}/heartbeat", json={"registrationId": "\x00"})
    assert response.status_code in (400, 404)
    assert response.json()["success"] is False


def test_register_type_errors_say_what_is_wrong(client, tpa):
    response = client.post(f"{BASE}/register", json={"packageName": 5, "webhookUrl": "https://x.example/hook"})
    assert response.status_code == 400
    assert "Missing required fields" not in response.json()["error"]
