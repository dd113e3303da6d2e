"""Capture (PACT): only an active, linked device, only the modalities and modes the user consents to."""
import pytest

CAPS = {"audio": True, "microphone": True}


@pytest.fixture
def device(client):
    body = {"name": "Glasses", "deviceType": "custom", "platform": "glasses", "capabilities": CAPS}
    device_id = client.post("/agtos/api/devices/register", json=body).json()["device"]["id"]
    client.put(f"/agtos/api/devices/{device_id}", json={"status": "active"})
    client.post(f"/agtos/api/devices/{device_id}/link", json={"userId": "user-1"})
    return device_id


def start(client, device_id, modalities=("audio",), **extra):
    return client.post("/agtos/api/capture/start", json={"deviceId": device_id, "modalities": list(modalities), **extra})


def test_start_list_and_stop(client, device):
    started = start(client, device)
    assert started.status_code == 201
    body = started.json()
    assert body["streamId"].startswith("stream-") and body["state"] == "active" and body["correlationId"].startswith("corr-")
    listed = client.get("/agtos/api/capture/streams", params={"userId": "user-1"}).json()
    assert listed["count"] == 1
    stream = listed["streams"][0]
    assert (stream["streamId"], stream["deviceId"], stream["modalities"], stream["state"]) == (
        body["streamId"], device, ["audio"], "active")
    assert client.get("/agtos/api/capture/streams", params={"userId": "user-2"}).json()["count"] == 0
    stopped = client.post("/agtos/api/capture/stop", json={"streamId": body["streamId"]})
    assert stopped.status_code == 200 and stopped.json()["state"] == "stopped"
    again = client.post("/agtos/api/capture/stop", json={"streamId": body["streamId"]})
    assert again.status_code == 404 and again.json() == {"error": "Stream not found or already stopped"}
    assert client.get("/agtos/api/capture/streams").json()["count"] == 0


def test_only_consented_modalities_and_modes(client, device):
    assert start(client, device, ("audio", "video")).json() == {"error": "Missing consent: No consent for modality: video"}
    assert start(client, device, captureMode="ambient").json() == {"error": "Missing consent: No consent for capture mode: ambient"}
    client.put("/agtos/api/users/user-1/preferences",
               json={"privacySettings": {"allowVideoCapture": True, "allowAmbientCapture": True}})
    assert start(client, device, ("audio", "video"), captureMode="ambient").status_code == 201
    client.put("/agtos/api/users/user-1/preferences", json={"privacySettings": {"allowAudioCapture": False}})
    assert start(client, device).status_code == 400


def test_only_an_active_linked_device(client, device):
    client.put(f"/agtos/api/devices/{device}", json={"status": "suspended"})
    assert start(client, device).json() == {"error": "Device is not active (status: suspended)"}
    unlinked = client.post("/agtos/api/devices/register", json={"name": "Other", "deviceType": "cli", "platform": "linux",
                                                                "capabilities": {}}).json()["device"]["id"]
    client.put(f"/agtos/api/devices/{unlinked}", json={"status": "active"})
    assert start(client, unlinked).json() == {"error": "Missing consent: the device is not linked to a user"}
    unknown = start(client, "dev-unknown")
    assert unknown.status_code == 404 and unknown.json() == {"error": "Device not found"}


def test_a_device_leaving_active_stops_its_streams(client, device):
    start(client, device)
    client.put(f"/agtos/api/devices/{device}", json={"status": "suspended"})
    assert client.get("/agtos/api/capture/streams").json()["count"] == 0


def test_invalid_modalities_are_400(client, device):
    assert start(client, device, ("smell",)).status_code == 400
    assert start(client, device, ()).status_code == 400


def test_without_the_api_key_capture_is_refused(api_key, client):
    assert client.post("/agtos/api/capture/start", json={"deviceId": "dev-1", "modalities": ["audio"]}).status_code == 401
    assert client.post("/agtos/api/capture/stop", json={"streamId": "stream-1"}).status_code == 401
    assert client.get("/agtos/api/capture/streams").status_code == 401
