"""Devices: registration, identity, the lifecycle, trust levels, secrets and links."""
from datetime import timedelta

import pytest

from agentdeck.storage.models.agtos_devices import Device
from agentdeck.timeutil import utcnow

CAPS = {"audio": True, "microphone": True, "speaker": True, "display": False, "buttons": False, "sensors": False}
KITCHEN = {"name": "Kitchen Speaker", "deviceType": "esp32", "platform": "esp32-s3", "capabilities": CAPS,
           "secret": "my-device-secret", "firmwareVersion": "1.2.0"}


def register(client, headers=None, **changes):
    response = client.post("/agtos/api/devices/register", json={**KITCHEN, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["device"]


def set_status(client, device_id, status):
    return client.put(f"/agtos/api/devices/{device_id}", json={"status": status})


def test_register_answers_a_pending_verified_device(client):
    device = register(client)
    assert device["id"].startswith("dev-")
    assert {k: device[k] for k in ("name", "deviceType", "platform", "status", "trustLevel", "capabilities",
                                   "firmwareVersion", "hasSecret")} == {
        "name": "Kitchen Speaker", "deviceType": "esp32", "platform": "esp32-s3", "status": "pending",
        "trustLevel": 2, "capabilities": CAPS, "firmwareVersion": "1.2.0", "hasSecret": True}
    assert "secret" not in device and "my-device-secret" not in str(device)


def test_the_secret_is_kept_as_an_argon2_hash(client):
    device = register(client)
    stored = Device.get_by_id(device["id"]).secret_hash
    assert stored.startswith("$argon2id$") and "my-device-secret" not in stored


def test_the_same_type_platform_and_name_is_a_conflict(client):
    register(client)
    response = client.post("/agtos/api/devices/register", json={**KITCHEN, "secret": "another-secret"})
    assert response.status_code == 409
    assert response.json()["error"] == "Device already registered"
    assert register(client, name="Bedroom Speaker")["status"] == "pending"
    assert register(client, platform="esp32-c3")["status"] == "pending"


def test_a_revoked_device_must_register_again(client):
    first = register(client)
    assert set_status(client, first["id"], "revoked").status_code == 200
    for change in ({"status": "active"}, {"name": "Renamed"}):
        response = client.put(f"/agtos/api/devices/{first['id']}", json=change)
        assert response.status_code == 409
        assert response.json() == {"error": "Device is revoked", "message": "A revoked device must register again"}
    again = register(client)
    assert again["id"] != first["id"] and again["status"] == "pending"
    assert client.get(f"/agtos/api/devices/{first['id']}").json()["device"]["trustLevel"] == 0


@pytest.mark.parametrize("path, allowed", [
    (["active", "suspended", "active", "suspended", "revoked"], True),
    (["pending", "active"], True),
    (["suspended"], False),
    (["active", "pending"], False),
])
def test_the_lifecycle_is_enforced(client, path, allowed):
    device = register(client)
    statuses = [set_status(client, device["id"], status) for status in path]
    assert all(r.status_code == 200 for r in statuses[:-1])
    assert statuses[-1].status_code == (200 if allowed else 409)
    if not allowed:
        assert statuses[-1].json()["error"] == "Invalid status transition"


def test_trust_levels(api_key, client):
    anonymous = client.post("/agtos/api/devices/register",
                            json={k: v for k, v in KITCHEN.items() if k != "secret"}, headers=api_key)
    assert anonymous.json()["device"]["trustLevel"] == 1  # registered with the API key
    device = register(client, headers=api_key, name="Verified")
    assert device["trustLevel"] == 2
    for _ in range(5):
        ok = client.post(f"/agtos/api/devices/{device['id']}/authenticate", json={"secret": "my-device-secret"},
                         headers=api_key)
        assert ok.status_code == 200
    assert ok.json()["device"]["trustLevel"] == 2  # not yet a week old
    Device.update(created_at=utcnow() - timedelta(days=8)).where(Device.id == device["id"]).execute()
    assert client.get(f"/agtos/api/devices/{device['id']}", headers=api_key).json()["device"]["trustLevel"] == 3
    client.post(f"/agtos/api/devices/{device['id']}/authenticate", json={"secret": "wrong-secret"}, headers=api_key)
    assert client.get(f"/agtos/api/devices/{device['id']}", headers=api_key).json()["device"]["trustLevel"] == 2


def test_anonymous_without_a_secret_or_a_key(client):
    device = client.post("/agtos/api/devices/register", json={k: v for k, v in KITCHEN.items() if k != "secret"})
    assert device.status_code == 201 and device.json()["device"]["trustLevel"] == 0


def test_list_filters_and_pages(client):
    ids = [register(client, name=f"Speaker {i}")["id"] for i in range(3)]
    register(client, name="Browser", deviceType="browser", platform="chrome")
    set_status(client, ids[0], "active")
    body = client.get("/agtos/api/devices", params={"status": "active"}).json()
    assert [d["id"] for d in body["devices"]] == [ids[0]] and body["count"] == 1
    assert client.get("/agtos/api/devices", params={"deviceType": "browser"}).json()["count"] == 1
    page = client.get("/agtos/api/devices", params={"deviceType": "esp32", "limit": 2, "offset": 1}).json()
    assert [d["id"] for d in page["devices"]] == ids[1:] and page["total"] == 3
    assert client.get("/agtos/api/devices", params={"limit": 0}).status_code == 400
    assert client.get("/agtos/api/devices", params={"status": "lost"}).status_code == 400


def test_get_update_and_delete(client):
    device = register(client)
    updated = client.put(f"/agtos/api/devices/{device['id']}",
                         json={"name": "Pantry Speaker", "capabilities": {"display": True}, "firmwareVersion": "1.3.0"})
    assert updated.status_code == 200
    body = updated.json()["device"]
    assert body["name"] == "Pantry Speaker" and body["firmwareVersion"] == "1.3.0"
    assert body["capabilities"] == {**CAPS, "display": True}
    assert client.get(f"/agtos/api/devices/{device['id']}").json()["device"] == body
    assert client.delete(f"/agtos/api/devices/{device['id']}").json() == {"success": True, "deviceId": device["id"]}
    for response in (client.get(f"/agtos/api/devices/{device['id']}"), client.delete(f"/agtos/api/devices/{device['id']}"),
                     client.put(f"/agtos/api/devices/{device['id']}", json={"name": "x"})):
        assert response.status_code == 404
        assert response.json() == {"error": "Device not found"}


def test_a_rename_onto_another_device_is_a_conflict(client):
    register(client)
    other = register(client, name="Other")
    assert client.put(f"/agtos/api/devices/{other['id']}", json={"name": KITCHEN["name"]}).status_code == 409


def test_authenticate(client):
    device = register(client)
    ok = client.post(f"/agtos/api/devices/{device['id']}/authenticate", json={"secret": "my-device-secret"})
    assert ok.status_code == 200
    assert ok.json() == {"authenticated": True, "device": {"id": device["id"], "name": "Kitchen Speaker",
                                                           "status": "pending", "trustLevel": 2}}
    wrong = client.post(f"/agtos/api/devices/{device['id']}/authenticate", json={"secret": "not-the-secret"})
    assert wrong.status_code == 401
    assert wrong.json() == {"authenticated": False, "message": "Invalid device secret"}
    set_status(client, device["id"], "active")
    set_status(client, device["id"], "suspended")
    refused = client.post(f"/agtos/api/devices/{device['id']}/authenticate", json={"secret": "my-device-secret"})
    assert refused.status_code == 403
    assert refused.json() == {"authenticated": False, "message": "Device is suspended"}


def test_a_device_without_a_secret_never_authenticates(client):
    device = register(client, name="Open")
    client.put(f"/agtos/api/devices/{device['id']}", json={})
    Device.update(secret_hash=None).where(Device.id == device["id"]).execute()
    response = client.post(f"/agtos/api/devices/{device['id']}/authenticate", json={"secret": "my-device-secret"})
    assert response.status_code == 401


def test_a_new_secret_replaces_the_old(client):
    device = register(client)
    client.put(f"/agtos/api/devices/{device['id']}", json={"secret": "a-new-secret"})
    old = client.post(f"/agtos/api/devices/{device['id']}/authenticate", json={"secret": "my-device-secret"})
    new = client.post(f"/agtos/api/devices/{device['id']}/authenticate", json={"secret": "a-new-secret"})
    assert (old.status_code, new.status_code) == (401, 200)


def test_link(client):
    device = register(client)
    response = client.post(f"/agtos/api/devices/{device['id']}/link", json={"userId": "user-abc123"})
    assert response.json() == {"linked": True, "deviceId": device["id"], "userId": "user-abc123"}
    assert client.get(f"/agtos/api/devices/{device['id']}").json()["device"]["userId"] == "user-abc123"
    assert client.post("/agtos/api/devices/dev-nope/link", json={"userId": "u"}).status_code == 404
    set_status(client, device["id"], "revoked")
    assert client.post(f"/agtos/api/devices/{device['id']}/link", json={"userId": "u"}).status_code == 409


@pytest.mark.parametrize("body", [
    {**KITCHEN, "deviceType": "toaster"}, {**KITCHEN, "name": ""}, {**KITCHEN, "name": "x" * 201},
    {**KITCHEN, "platform": "p" * 101}, {**KITCHEN, "secret": "short"}, {**KITCHEN, "secret": "s" * 257},
    {**KITCHEN, "firmwareVersion": "v" * 51}, {**KITCHEN, "capabilities": {"laser": True}},
    {k: v for k, v in KITCHEN.items() if k != "capabilities"}, {**KITCHEN, "metadata": {"k": {"nested": 1}}},
])
def test_the_reference_limits_are_checked(client, body):
    response = client.post("/agtos/api/devices/register", json=body)
    assert response.status_code == 400
    assert set(response.json()) >= {"error"}


def test_bad_ids_are_400(client):
    assert client.get("/agtos/api/devices/bad$id").status_code == 400


def test_without_the_api_key_every_device_operation_is_refused(api_key, client):
    device = register(client, headers=api_key)
    calls = [("post", "/agtos/api/devices/register", KITCHEN), ("get", "/agtos/api/devices", None),
             ("get", f"/agtos/api/devices/{device['id']}", None),
             ("put", f"/agtos/api/devices/{device['id']}", {"status": "active"}),
             ("delete", f"/agtos/api/devices/{device['id']}", None),
             ("post", f"/agtos/api/devices/{device['id']}/authenticate", {"secret": "my-device-secret"}),
             ("post", f"/agtos/api/devices/{device['id']}/link", {"userId": "u1"})]
    for method, path, body in calls:
        response = client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"] == "Unauthorized"
    assert client.get(f"/agtos/api/devices/{device['id']}", headers=api_key).json()["device"]["status"] == "pending"
