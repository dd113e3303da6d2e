"""The TPA WebSocket against a real server: init and ack, transcripts out, display back, stop."""
import json
import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from agentdeck.storage.models.augmentos import AppSession

SESSIONS = "/augmentos/api/app-sessions"
TIMEOUT = 5


@pytest.fixture
def http(live_server):
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


@pytest.fixture
def session_id(http, tpa, user_headers):
    response = http.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers)
    assert response.status_code == 201, response.text
    return response.json()["data"]["sessionId"]


def _ws_url(live_server, path="/augmentos/app-ws"):
    return live_server.replace("http://", "ws://") + path


def _open(live_server, tpa, session_id, api_key=None, path="/augmentos/app-ws"):
    ws = connect(_ws_url(live_server, path), open_timeout=TIMEOUT)
    ws.send(json.dumps({"type": "tpa_connection_init", "sessionId": session_id, "packageName": tpa.package,
                        "apiKey": api_key or tpa.api_key, "timestamp": "2025-01-01T00:00:00.000Z"}))
    return ws


def _recv(ws):
    return json.loads(ws.recv(timeout=TIMEOUT))


def _subscribe(ws, tpa, session_id, *streams):
    ws.send(json.dumps({"type": "subscription_update", "packageName": tpa.package, "sessionId": session_id,
                        "subscriptions": list(streams)}))
    time.sleep(0.3)  # the server reads it before the next transcript is posted


def _post_transcript(http, session_id, user_headers, text, is_final=True, **extra):
    response = http.post(f"/augmentos/api/transcripts/{session_id}", headers=user_headers,
                         json={"segments": [{"text": text, "isFinal": is_final, **extra}]})
    assert response.status_code == 201, response.text


def test_session_request_names_the_socket_on_the_listening_port(live_server, session_id, tpa):
    body = tpa.receiver.received[-1].json()
    expected = _ws_url(live_server)
    assert body["augmentOSWebsocketUrl"] == expected and body["mentraOSWebsocketUrl"] == expected


def test_init_is_acknowledged_and_transcripts_arrive_on_subscribed_streams(live_server, http, tpa, user_headers, session_id):
    with _open(live_server, tpa, session_id) as ws:
        ack = _recv(ws)
        assert ack["type"] == "tpa_connection_ack" and ack["sessionId"] == session_id
        assert ack["settings"] == [] and ack["mentraosSettings"] == {}
        _subscribe(ws, tpa, session_id, "transcription:en-US", "transcription:fr-FR", {"stream": "location_stream", "rate": "standard"})
        _post_transcript(http, session_id, user_headers, "bonjour", language="fr-FR")
        message = _recv(ws)
        assert message["type"] == "data_stream" and message["streamType"] == "transcription:fr-FR"
        _post_transcript(http, session_id, user_headers, "Hello there", is_final=False, resultId="r1", speakerId="user1")
        message = _recv(ws)
        assert message["streamType"] == "transcription:en-US" and message["sessionId"] == session_id
        data = message["data"]
        assert data == {**data, "type": "transcription", "text": "Hello there", "isFinal": False,
                        "transcribeLanguage": "en-US", "utteranceId": "r1", "speakerId": "user1"}
        assert isinstance(data["startTime"], int) and data["startTime"] == data["endTime"]


def test_unsubscribed_streams_get_nothing(live_server, http, tpa, user_headers, session_id):
    with _open(live_server, tpa, session_id) as ws:
        _recv(ws)
        _subscribe(ws, tpa, session_id, "transcription:de-DE")
        _post_transcript(http, session_id, user_headers, "not for you")
        with pytest.raises(TimeoutError):
            ws.recv(timeout=1)
        _subscribe(ws, tpa, session_id, "transcription:en-US?hints=agentdeck")
        _post_transcript(http, session_id, user_headers, "for you")
        message = _recv(ws)
        assert message["streamType"] == "transcription:en-US?hints=agentdeck" and message["data"]["text"] == "for you"


def test_display_events_are_readable_by_the_glasses_client(live_server, http, tpa, user_headers, session_id):
    path = f"{SESSIONS}/{session_id}/display"
    assert http.get(path, headers=user_headers).json()["data"] == {
        "sessionId": session_id, "packageName": tpa.package, "main": None, "dashboard": None}
    with _open(live_server, tpa, session_id) as ws:
        _recv(ws)
        for text in ("first", "second"):
            ws.send(json.dumps({"type": "display_event", "packageName": tpa.package, "sessionId": "", "view": "main",
                                "layout": {"layoutType": "text_wall", "text": text}, "durationMs": 3000}))
        ws.send(json.dumps({"type": "display_event", "packageName": tpa.package, "sessionId": "", "view": "dashboard",
                            "layout": {"layoutType": "dashboard_card", "leftText": "L", "rightText": "R"}}))
        ws.send(json.dumps({"type": "display_event", "view": "sideways", "layout": {"layoutType": "text_wall"}}))
        data = _poll(lambda: http.get(path, headers=user_headers).json()["data"],
                     lambda d: d["dashboard"] is not None and d["main"]["layout"]["text"] == "second")
    assert data["main"]["layout"] == {"layoutType": "text_wall", "text": "second"} and data["main"]["durationMs"] == 3000
    assert data["dashboard"]["layout"]["leftText"] == "L" and data["dashboard"]["durationMs"] is None
    from agentdeck.augmentos.users import issue_core_token

    mallory = {"Authorization": f"Bearer {issue_core_token('mallory@example.com')}"}
    assert http.get(path, headers=mallory).status_code == 404
    assert http.get(path).status_code == 401
    http.post(f"{SESSIONS}/{session_id}/stop", headers=user_headers)
    assert http.get(path, headers=user_headers).json()["data"]["main"] is not None, "kept after the stop"
    http.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers)
    assert http.get(path, headers=user_headers).json()["data"]["main"] is None, "cleared by a new start"


def _poll(fetch, done, attempts=100):
    for _ in range(attempts):
        value = fetch()
        if done(value):
            return value
        time.sleep(0.05)
    raise AssertionError(f"never reached: {value!r}")


@pytest.mark.parametrize("case", ["wrong key", "unknown session", "stopped session", "not an init"])
def test_refused_inits_get_an_error_and_close_1008(live_server, http, tpa, user_headers, session_id, case):
    if case == "stopped session":
        http.post(f"{SESSIONS}/{session_id}/stop", headers=user_headers)
    ws = connect(_ws_url(live_server), open_timeout=TIMEOUT)
    init = {"type": "tpa_connection_init", "sessionId": session_id, "packageName": tpa.package, "apiKey": tpa.api_key}
    if case == "wrong key":
        init["apiKey"] = "nope"
    elif case == "unknown session":
        init["sessionId"] = "bob@example.com-" + tpa.package
    elif case == "not an init":
        init = {"type": "subscription_update", "subscriptions": []}
    ws.send(json.dumps(init))
    message = _recv(ws)
    assert message["type"] == "tpa_connection_error" and message["code"] and message["message"]
    with pytest.raises(ConnectionClosed):
        ws.recv(timeout=TIMEOUT)
    assert ws.close_code == 1008


def test_init_is_accepted_while_the_session_is_starting(live_server, tpa, session_id):
    AppSession.update(status="starting").where(AppSession.id == session_id).execute()
    with _open(live_server, tpa, session_id, path="/augmentos/tpa-ws") as ws:
        assert _recv(ws)["type"] == "tpa_connection_ack"


def test_reconnect_is_acknowledged_again_and_keeps_the_session(live_server, http, tpa, user_headers, session_id):
    ws = _open(live_server, tpa, session_id)
    _recv(ws)
    ws.socket.close()  # dropped without a close frame, as a network failure would
    with _open(live_server, tpa, session_id) as again:
        assert _recv(again)["type"] == "tpa_connection_ack"
        _subscribe(again, tpa, session_id, "transcription:en-US")
        _post_transcript(http, session_id, user_headers, "still here")
        assert _recv(again)["data"]["text"] == "still here"


def test_stop_sends_app_stopped_and_closes_normally(live_server, http, tpa, user_headers, session_id):
    with _open(live_server, tpa, session_id) as ws:
        _recv(ws)
        http.post(f"{SESSIONS}/{session_id}/stop", params={"reason": "system_stop"}, headers=user_headers)
        message = _recv(ws)
        assert message["type"] == "app_stopped" and message["reason"] == "system_stop"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=TIMEOUT)
        assert ws.close_code == 1000


@pytest.fixture
def at_root(settings, monkeypatch):
    monkeypatch.setenv("AGENTDECK_MOUNTS", "augmentos=/")


def test_at_the_root_mount_the_socket_is_at_app_ws(at_root, live_server, tpa, user_headers):
    with httpx.Client(base_url=live_server, timeout=30) as client:
        response = client.post("/api/app-sessions", json={"packageName": tpa.package}, headers=user_headers)
    assert response.status_code == 201, response.text
    assert tpa.receiver.received[-1].json()["mentraOSWebsocketUrl"] == _ws_url(live_server, "/app-ws")
    with _open(live_server, tpa, response.json()["data"]["sessionId"], path="/app-ws") as ws:
        assert _recv(ws)["type"] == "tpa_connection_ack"


def test_the_server_pings_an_open_socket(app, tpa, user_headers):
    """Liveness is WebSocket ping frames from the server: a peer that stops answering is dropped."""
    import socket

    import uvicorn

    from tests.support.servers import ThreadedServer

    server = ThreadedServer(app)
    # Pings every 0.2 s instead of uvicorn's 20 s (the thread runs this Server, so its config).
    server.server.config = uvicorn.Config(app, host="127.0.0.1", port=server.port, log_level="warning",
                                          ws_ping_interval=0.2, ws_ping_timeout=0.2)
    with server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            client.post(SESSIONS, json={"packageName": tpa.package}, headers=user_headers)
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        raw.sendall(b"GET /augmentos/app-ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    b"Sec-WebSocket-Version: 13\r\n\r\n")
        handshake = raw.recv(4096)
        assert handshake.startswith(b"HTTP/1.1 101"), handshake
        frame = raw.recv(2)  # the server speaks first only to ping: the init is ours to send
        assert frame[0] & 0x0F == 0x9, f"expected a ping frame, got {frame!r}"
        raw.settimeout(TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and raw.recv(4096):
            pass  # never answering the pings: the server closes the connection
        assert time.monotonic() < deadline
        raw.close()
