"""Session events cross workers: a transcript posted to one server process reaches the app's
socket held by another, through the database alone."""
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest
from websockets.sync.client import connect

from agentdeck.augmentos import session_events
from agentdeck.storage.models.augmentos import AppSessionEvent
from agentdeck.surfaces import SURFACES
from agentdeck.timeutil import utcnow
from tests.support.postgres import free_port
from tests.support.servers import OUTSIDE_THE_SOURCE

TIMEOUT = 10


@pytest.fixture
def second_worker(app):
    """Another agentdeck process on the same database (``app`` has migrated it already)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "agentdeck.asgi:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"], env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        cwd=OUTSIDE_THE_SOURCE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/augmentos/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"the second worker did not start: {process.stderr.read().decode()[-2000:]}")
    yield url
    process.terminate()
    process.wait(10)


def test_a_socket_on_one_worker_gets_what_another_worker_was_posted(live_server, second_worker, tpa, user_headers):
    with httpx.Client(base_url=live_server, timeout=30) as first:
        session_id = first.post("/augmentos/api/app-sessions", json={"packageName": tpa.package},
                                headers=user_headers).json()["data"]["sessionId"]
        ws_url = second_worker.replace("http://", "ws://") + "/augmentos/app-ws"
        with connect(ws_url, open_timeout=TIMEOUT) as ws:
            ws.send(json.dumps({"type": "tpa_connection_init", "sessionId": session_id,
                                "packageName": tpa.package, "apiKey": tpa.api_key}))
            assert json.loads(ws.recv(timeout=TIMEOUT))["type"] == "tpa_connection_ack"
            ws.send(json.dumps({"type": "subscription_update", "subscriptions": ["transcription:en-US"]}))
            time.sleep(0.3)
            first.post(f"/augmentos/api/transcripts/{session_id}", headers=user_headers,
                       json={"segments": [{"text": "across workers", "isFinal": True}]})
            message = json.loads(ws.recv(timeout=TIMEOUT))
            assert message["type"] == "data_stream" and message["data"]["text"] == "across workers"
            first.post(f"/augmentos/api/app-sessions/{session_id}/stop", headers=user_headers)
            assert json.loads(ws.recv(timeout=TIMEOUT))["type"] == "app_stopped"


def test_old_events_are_swept(app):
    session_events.publish("s-1", "transcription", {"text": "old"})
    session_events.publish("s-1", "transcription", {"text": "new"})
    oldest = AppSessionEvent.select().order_by(AppSessionEvent.id).first()
    AppSessionEvent.update(created_at=utcnow() - timedelta(hours=1)).where(AppSessionEvent.id == oldest.id).execute()
    SURFACES["augmentos"].run_sweeps()
    assert [e.data["text"] for e in AppSessionEvent.select()] == ["new"]


def test_with_agentdeck_serve_workers_2_every_transcript_reaches_the_socket(app, tpa, user_headers, settings, tmp_path):
    """The real thing: gunicorn with two workers hands each new connection to either, so the
    socket and the transcript posts (each on a fresh connection) land on both."""
    from tests.support.servers import agentdeck_serve

    env = {"AGENTDECK_DATA_DIR": str(settings().data_dir), "AGENTDECK_LOG_LEVEL": "WARNING",
           "AGENTDECK_SURFACES": "augmentos"}
    with agentdeck_serve(2, env, cwd=tmp_path) as url:
        session_id = httpx.post(f"{url}/augmentos/api/app-sessions", json={"packageName": tpa.package},
                                headers=user_headers, timeout=30).json()["data"]["sessionId"]
        with connect(url.replace("http://", "ws://") + "/augmentos/app-ws", open_timeout=TIMEOUT) as ws:
            ws.send(json.dumps({"type": "tpa_connection_init", "sessionId": session_id,
                                "packageName": tpa.package, "apiKey": tpa.api_key}))
            assert json.loads(ws.recv(timeout=TIMEOUT))["type"] == "tpa_connection_ack"
            ws.send(json.dumps({"type": "subscription_update", "subscriptions": ["transcription:en-US"]}))
            time.sleep(0.3)
            sent = [f"segment {n}" for n in range(12)]
            for text in sent:
                with httpx.Client(timeout=30) as fresh:  # a new connection: either worker takes it
                    posted = fresh.post(f"{url}/augmentos/api/transcripts/{session_id}", headers=user_headers,
                                        json={"segments": [{"text": text, "isFinal": True}]})
                    assert posted.status_code == 201, posted.text
            received = [json.loads(ws.recv(timeout=TIMEOUT))["data"]["text"] for _ in sent]
    assert received == sent
