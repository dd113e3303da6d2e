"""The fleet in process: an agent's heartbeat, commands, software and config; machines, commands,
processes, deployments, installers and screenshots as the dashboard sees them; who is refused."""
from __future__ import annotations

import base64
import hashlib

import pytest

from tests.handlers.owlette.conftest import ORIGIN, sign_in

O = {"Origin": ORIGIN}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 100 + b"\xff\xd9"


@pytest.fixture
def fleet(owlette, client):
    """Site nyc-office (owner o@) with agents DESKTOP-A and DESKTOP-B, and site other (owner x@)."""
    owner = owlette.user("o@example.com")
    stranger = owlette.user("x@example.com")
    owlette.site("nyc-office", owner=owner)
    owlette.site("other", owner=stranger)
    sign_in(client, "o@example.com")
    tokens = {}
    for machine in ("DESKTOP-A", "DESKTOP-B"):
        code = client.post("/owlette/api/agent/generate-installer", json={"siteId": "nyc-office"}, headers=O).json()
        answer = client.post("/owlette/api/agent/auth/exchange",
                             json={"registrationCode": code["registrationCode"], "machineId": machine, "version": "2.1.8"})
        tokens[machine] = {"Authorization": f"Bearer {answer.json()['accessToken']}"}
    return tokens


def _beat(client, headers, **body):
    response = client.post("/owlette/api/agent/heartbeat", headers=headers,
                           json={"online": True, "version": "2.1.8", "os": "Windows 11 Pro",
                                 "metrics": {"cpu": {"percent": 10}}, **body})
    assert response.status_code == 200, response.text
    return response.json()


def _send(client, machine="DESKTOP-A", command="restart_process", **extra):
    return client.post("/owlette/api/admin/commands/send", headers=O,
                       json={"siteId": "nyc-office", "machineId": machine, "command": command,
                             "data": {"process_name": "TouchDesigner"}, **extra})


def test_heartbeat_makes_a_machine_online_and_offline_after_three_minutes(fleet, client):
    _beat(client, fleet["DESKTOP-A"], processes={"proc_1": {"status": "RUNNING", "pid": 7}})
    machines = client.get("/owlette/api/admin/machines", params={"siteId": "nyc-office"}).json()["machines"]
    assert [(m["id"], m["online"], m["agentVersion"], m["os"]) for m in machines] == \
        [("DESKTOP-A", True, "2.1.8", "Windows 11 Pro")]
    status = client.get("/owlette/api/admin/machines/status",
                        params={"siteId": "nyc-office", "machineId": "DESKTOP-A"}).json()["machine"]
    assert status["metrics"] == {"cpu": {"percent": 10}} and status["processes"]["proc_1"]["pid"] == 7
    from datetime import timedelta

    from agentdeck.storage.models.owlette_fleet import Machine
    from agentdeck.timeutil import utcnow
    Machine.update(last_heartbeat_at=utcnow() - timedelta(minutes=3, seconds=1)).execute()
    machines = client.get("/owlette/api/admin/machines", params={"siteId": "nyc-office"}).json()["machines"]
    assert machines[0]["online"] is False
    _beat(client, fleet["DESKTOP-A"])
    _beat(client, fleet["DESKTOP-A"], online=False)
    machines = client.get("/owlette/api/admin/machines", params={"siteId": "nyc-office"}).json()["machines"]
    assert machines[0]["online"] is False


def test_a_command_queued_for_an_offline_machine_is_delivered_on_its_next_poll(fleet, client):
    sent = _send(client, machine="DESKTOP-B")
    assert sent.status_code == 200, sent.text
    command_id = sent.json()["commandId"]
    state = client.get(f"/owlette/api/admin/commands/{command_id}", params={"siteId": "nyc-office"}).json()
    assert state["command"]["status"] == "pending"
    assert client.get("/owlette/api/agent/commands", headers=fleet["DESKTOP-A"]).json() == {"commands": []}
    polled = client.get("/owlette/api/agent/commands", headers=fleet["DESKTOP-B"]).json()["commands"]
    assert [(c["id"], c["type"], c["data"]) for c in polled] == \
        [(command_id, "restart_process", {"process_name": "TouchDesigner"})]
    assert client.get("/owlette/api/agent/commands", headers=fleet["DESKTOP-B"]).json() == {"commands": []}
    # another machine cannot report on it
    assert client.post(f"/owlette/api/agent/commands/{command_id}", headers=fleet["DESKTOP-A"],
                       json={"status": "completed"}).status_code == 404
    done = client.post(f"/owlette/api/agent/commands/{command_id}", headers=fleet["DESKTOP-B"],
                       json={"status": "completed", "result": {"ok": True}})
    assert done.json() == {"success": True, "status": "completed"}
    again = client.post(f"/owlette/api/agent/commands/{command_id}", headers=fleet["DESKTOP-B"],
                        json={"status": "completed"})
    assert again.status_code == 200
    assert client.post(f"/owlette/api/agent/commands/{command_id}", headers=fleet["DESKTOP-B"],
                       json={"status": "failed"}).status_code == 409
    listed = client.get("/owlette/api/admin/commands", params={"siteId": "nyc-office", "machineId": "DESKTOP-B"}).json()
    assert [(c["id"], c["status"], c["result"], c["deliveryCount"]) for c in listed["commands"]] == \
        [(command_id, "completed", {"ok": True}, 1)]


def test_an_unreported_command_is_delivered_again(fleet, client):
    command_id = _send(client).json()["commandId"]
    assert len(client.get("/owlette/api/agent/commands", headers=fleet["DESKTOP-A"]).json()["commands"]) == 1
    from datetime import timedelta

    from agentdeck.storage.models.owlette_fleet import Command
    from agentdeck.timeutil import utcnow
    Command.update(delivered_at=utcnow() - timedelta(seconds=61)).execute()
    again = client.get("/owlette/api/agent/commands", headers=fleet["DESKTOP-A"]).json()["commands"]
    assert [c["id"] for c in again] == [command_id]


def test_send_with_wait_times_out_and_says_so(fleet, client):
    answer = _send(client, wait=True, timeout=1)
    assert answer.status_code == 200
    assert answer.json()["status"] == "timeout" and answer.json()["commandStatus"] == "pending"


def test_the_wait_cap_shortens_a_longer_wait(fleet, client, monkeypatch):
    import time

    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_OWLETTE_WAIT_CAP", "1")
    reset_settings()
    started = time.monotonic()
    answer = _send(client, wait=True, timeout=60)
    assert answer.json()["status"] == "timeout" and time.monotonic() - started < 10


def test_send_refuses_bad_input(fleet, client):
    assert _send(client, command="format_disk").status_code == 400
    assert _send(client, machine="NOPE").status_code == 404
    assert _send(client, wait=True, timeout=121).status_code == 400
    assert "error" in _send(client, command="format_disk").json()


def test_clear_clears_only_untaken_commands(fleet, client):
    _send(client)
    client.get("/owlette/api/agent/commands", headers=fleet["DESKTOP-A"])
    _send(client)
    _send(client)
    cleared = client.delete("/owlette/api/admin/commands/clear", headers=O,
                            params={"siteId": "nyc-office", "machineId": "DESKTOP-A"})
    assert cleared.json() == {"success": True, "cleared": 2}
    statuses = sorted(c["status"] for c in client.get("/owlette/api/admin/commands",
                                                      params={"siteId": "nyc-office"}).json()["commands"])
    assert statuses == ["cleared", "cleared", "delivered"]


def test_software_inventory_pushed_and_searched(fleet, client):
    _beat(client, fleet["DESKTOP-A"])
    pushed = client.put("/owlette/api/agent/software", headers=fleet["DESKTOP-A"], json={"software": [
        {"name": "TouchDesigner", "version": "2023", "publisher": "Derivative"},
        {"name": "Chrome", "version": "120", "publisher": "Google"}]})
    assert pushed.json() == {"success": True, "count": 2}
    found = client.get("/owlette/api/admin/software-inventory",
                       params={"siteId": "nyc-office", "machineId": "DESKTOP-A", "search": "deriv"}).json()
    assert [s["name"] for s in found["software"]] == ["TouchDesigner"]
    assert client.put("/owlette/api/agent/software", headers=fleet["DESKTOP-A"],
                      json={"machineId": "DESKTOP-B", "software": []}).status_code == 403


def test_processes_and_schedules_reach_the_agents_config(fleet, client):
    _beat(client, fleet["DESKTOP-A"])
    added = client.post("/owlette/api/admin/processes", headers=O, json={
        "siteId": "nyc-office", "machineId": "DESKTOP-A", "name": "TouchDesigner", "exe_path": "C:\\TD\\td.exe"})
    assert added.status_code == 200, added.text
    pid = added.json()["processId"]
    config = client.get("/owlette/api/agent/config", headers=fleet["DESKTOP-A"]).json()
    assert [(p["id"], p["launch_mode"]) for p in config["processes"]] == [(pid, "off")]
    version = config["configVersion"]
    mode = client.patch(f"/owlette/api/admin/processes/{pid}/launch-mode", headers=O, json={
        "siteId": "nyc-office", "machineId": "DESKTOP-A", "mode": "scheduled",
        "schedules": [{"days": ["mon", "tue"], "startTime": "08:00", "endTime": "18:00"}]})
    assert mode.status_code == 200, mode.text
    config = client.get("/owlette/api/agent/config", headers=fleet["DESKTOP-A"]).json()
    assert config["configVersion"] > version
    assert config["processes"][0]["schedules"] == [{"days": ["mon", "tue"], "ranges": [{"start": "08:00", "stop": "18:00"}]}]
    for bad in ([{"days": ["mon"], "ranges": [{"start": "25:00", "stop": "18:00"}]}],
                [{"days": ["funday"], "startTime": "08:00", "endTime": "09:00"}],
                [{"days": ["mon", "mon"], "startTime": "08:00", "endTime": "09:00"}],
                [{"days": ["mon"], "startTime": "08:00", "endTime": "08:00"}], []):
        refused = client.patch(f"/owlette/api/admin/processes/{pid}/launch-mode", headers=O, json={
            "siteId": "nyc-office", "machineId": "DESKTOP-A", "mode": "scheduled", "schedules": bad})
        assert refused.status_code == 400 and "error" in refused.json(), bad
    renamed = client.patch(f"/owlette/api/admin/processes/{pid}", headers=O, json={
        "siteId": "nyc-office", "machineId": "DESKTOP-A", "name": "TD2"})
    assert renamed.status_code == 200
    listed = client.get("/owlette/api/admin/processes", params={"siteId": "nyc-office", "machineId": "DESKTOP-A"}).json()
    assert [p["name"] for p in listed["processes"]] == ["TD2"]
    assert client.delete(f"/owlette/api/admin/processes/{pid}", headers=O,
                         params={"siteId": "nyc-office", "machineId": "DESKTOP-A"}).status_code == 200
    assert client.get("/owlette/api/agent/config", headers=fleet["DESKTOP-A"]).json()["processes"] == []


def test_a_deployment_follows_its_targets(fleet, client):
    bad = client.post("/owlette/api/admin/deployments", headers=O, json={
        "siteId": "nyc-office", "name": "TD", "installer_name": "td.exe", "installer_url": "http://x/td.exe",
        "machineIds": ["DESKTOP-A"]})
    assert bad.status_code == 400 and bad.json() == {"error": "installer_url must be a valid HTTPS URL"}
    created = client.post("/owlette/api/admin/deployments", headers=O, json={
        "siteId": "nyc-office", "name": "TD", "installer_name": "td.exe", "installer_url": "https://cdn.example/td.exe",
        "silent_flags": "/S", "machineIds": ["DESKTOP-A", "DESKTOP-B"]})
    assert created.status_code == 200, created.text
    dep = created.json()["deploymentId"]
    assert dep.startswith("deploy-")
    url = f"/owlette/api/admin/deployments/{dep}"
    assert client.get(url, params={"siteId": "nyc-office"}).json()["deployment"]["status"] == "pending"
    assert client.delete(url, headers=O, params={"siteId": "nyc-office"}).status_code == 409
    command = client.get("/owlette/api/agent/commands", headers=fleet["DESKTOP-A"]).json()["commands"][0]
    assert command["type"] == "install_software" and command["data"]["installer_url"] == "https://cdn.example/td.exe"
    client.post(f"/owlette/api/agent/commands/{command['id']}", headers=fleet["DESKTOP-A"],
                json={"status": "downloading", "progress": 45})
    got = client.get(url, params={"siteId": "nyc-office"}).json()["deployment"]
    assert got["status"] == "in_progress"
    assert {t["machineId"]: (t["status"], t.get("progress")) for t in got["targets"]} == \
        {"DESKTOP-A": ("downloading", 45), "DESKTOP-B": ("pending", None)}
    client.post(f"/owlette/api/agent/commands/{command['id']}", headers=fleet["DESKTOP-A"],
                json={"status": "failed", "error": "exit code 1603"})
    cancel = f"{url}/cancel"
    assert client.post(cancel, headers=O, json={"siteId": "nyc-office", "machineId": "DESKTOP-C"}).status_code == 400
    assert client.post(cancel, headers=O, json={"siteId": "nyc-office", "machineId": "DESKTOP-A"}).status_code == 409
    assert client.post(cancel, headers=O, json={"siteId": "nyc-office", "machineId": "DESKTOP-B"}).json()["status"] == "cancelled"
    assert client.get("/owlette/api/agent/commands", headers=fleet["DESKTOP-B"]).json() == {"commands": []}
    got = client.get(url, params={"siteId": "nyc-office"}).json()["deployment"]
    assert got["status"] == "failed"
    listed = client.get("/owlette/api/admin/deployments", params={"siteId": "nyc-office"}).json()["deployments"]
    assert [d["id"] for d in listed] == [dep]
    assert client.delete(url, headers=O, params={"siteId": "nyc-office"}).status_code == 200
    assert client.get(url, params={"siteId": "nyc-office"}).status_code == 404


def test_installer_upload_is_signed_single_use_and_checked(owlette, client):
    owlette.user("admin@example.com", admin=True)
    sign_in(client, "admin@example.com")
    assert client.get("/owlette/api/admin/installer/latest").status_code == 404
    started = client.post("/owlette/api/admin/installer/upload", headers=O,
                          json={"version": "2.1.9", "fileName": "OwletteSetup-2.1.9.exe", "releaseNotes": "fixes"})
    assert started.status_code == 200, started.text
    body = started.json()
    upload_url = body["uploadUrl"].split("/owlette", 1)[1]
    finalise = lambda **kw: client.put("/owlette/api/admin/installer/upload", headers=O,  # noqa: E731
                                       json={"uploadId": body["uploadId"], **kw})
    assert finalise().status_code == 409  # nothing uploaded yet
    data = b"MZ" + b"installer" * 1000
    assert client.put("/owlette" + upload_url.split("token=")[0] + "token=wrong", content=data,
                      headers={"Content-Type": "application/octet-stream"}).status_code == 403
    put = client.put("/owlette" + upload_url, content=data, headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 200, put.text
    assert put.json()["checksum_sha256"] == hashlib.sha256(data).hexdigest()
    assert client.put("/owlette" + upload_url, content=data,
                      headers={"Content-Type": "application/octet-stream"}).status_code == 409
    assert finalise(checksum_sha256="0" * 64).status_code == 409
    done = finalise(checksum_sha256=hashlib.sha256(data).hexdigest())
    assert done.status_code == 200, done.text
    assert finalise().status_code == 409
    assert client.put("/owlette/api/admin/installer/upload", headers=O, json={"uploadId": "upl_nope"}).status_code == 404
    latest = client.get("/owlette/api/admin/installer/latest").json()
    assert latest["version"] == "2.1.9" and latest["installer"]["checksum_sha256"] == hashlib.sha256(data).hexdigest()
    download = client.get(latest["downloadUrl"].split("/owlette", 1)[1].join(["/owlette", ""]))
    assert download.status_code == 200 and download.content == data
    assert client.get(f"/owlette/api/installer/download/{latest['installer']['id']}",
                      params={"expires": 9999999999, "signature": "bad"}).status_code == 403
    versions = client.get("/owlette/api/admin/installer/versions").json()["versions"]
    assert [(v["version"], v["isLatest"]) for v in versions] == [("2.1.9", True)]


def test_an_expired_upload_is_gone(owlette, client):
    owlette.user("admin@example.com", admin=True)
    sign_in(client, "admin@example.com")
    body = client.post("/owlette/api/admin/installer/upload", headers=O,
                       json={"version": "2.2.0", "fileName": "Setup.exe"}).json()
    from datetime import timedelta

    from agentdeck.storage.models.owlette_fleet import Installer
    from agentdeck.timeutil import utcnow
    Installer.update(upload_expires_at=utcnow() - timedelta(minutes=1)).execute()
    put = client.put("/owlette" + body["uploadUrl"].split("/owlette", 1)[1], content=b"MZ",
                     headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 410
    assert client.put("/owlette/api/admin/installer/upload", headers=O,
                      json={"uploadId": body["uploadId"]}).status_code == 410


def test_screenshots_are_jpeg_kept_twenty_and_readable_by_the_site(fleet, client):
    _beat(client, fleet["DESKTOP-A"])
    post = lambda shot, **kw: client.post("/owlette/api/agent/screenshot", headers=fleet["DESKTOP-A"],  # noqa: E731
                                          json={"siteId": "nyc-office", "machineId": "DESKTOP-A", "screenshot": shot, **kw})
    assert post(base64.b64encode(b"\x89PNG....").decode()).status_code == 400
    assert post("not base64!!").status_code == 400
    assert post(base64.b64encode(JPEG).decode(), machineId="DESKTOP-B").status_code == 403
    for _ in range(22):
        stored = post(base64.b64encode(JPEG).decode())
        assert stored.status_code == 200, stored.text
    listed = client.get("/owlette/api/admin/screenshots", params={"siteId": "nyc-office", "machineId": "DESKTOP-A"}).json()
    assert len(listed["screenshots"]) == 20 and listed["latest"]["id"] == stored.json()["id"]
    image = client.get("/owlette" + stored.json()["url"])
    assert image.status_code == 200 and image.content == JPEG and image.headers["content-type"] == "image/jpeg"
    big = base64.b64encode(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024)).decode()
    assert post(big).status_code == 413


def test_another_site_and_no_credential_are_refused(fleet, client, owlette):
    _beat(client, fleet["DESKTOP-A"])
    command_id = _send(client).json()["commandId"]
    import httpx  # noqa: F401

    client.cookies.clear()
    anonymous = [
        client.get("/owlette/api/admin/machines", params={"siteId": "nyc-office"}),
        client.get("/owlette/api/agent/commands"),
        client.post("/owlette/api/agent/heartbeat", json={}),
        client.get("/owlette/api/agent/config"),
    ]
    assert [r.status_code for r in anonymous] == [401] * 4
    sign_in(client, "x@example.com")
    site = {"siteId": "nyc-office"}
    both = {**site, "machineId": "DESKTOP-A"}
    refused = [
        client.get("/owlette/api/admin/machines", params=site),
        client.get("/owlette/api/admin/machines/status", params=both),
        client.post("/owlette/api/admin/machines/update", headers=O, json=site),
        _send(client),
        client.delete("/owlette/api/admin/commands/clear", headers=O, params=both),
        client.get("/owlette/api/admin/commands", params=site),
        client.get(f"/owlette/api/admin/commands/{command_id}", params=site),
        client.get("/owlette/api/admin/software-inventory", params=both),
        client.get("/owlette/api/admin/processes", params=both),
        client.post("/owlette/api/admin/processes", headers=O, json={**both, "name": "x", "exe_path": "y"}),
        client.patch("/owlette/api/admin/processes/proc_x", headers=O, json=both),
        client.delete("/owlette/api/admin/processes/proc_x", headers=O, params=both),
        client.patch("/owlette/api/admin/processes/proc_x/launch-mode", headers=O, json={**both, "mode": "off"}),
        client.get("/owlette/api/admin/deployments", params=site),
        client.post("/owlette/api/admin/deployments", headers=O, json={**site, "name": "n", "installer_name": "i",
                                                                        "installer_url": "https://a/b", "machineIds": ["DESKTOP-A"]}),
        client.get("/owlette/api/admin/deployments/deploy-1", params=site),
        client.delete("/owlette/api/admin/deployments/deploy-1", headers=O, params=site),
        client.post("/owlette/api/admin/deployments/deploy-1/cancel", headers=O, json=both),
        client.get("/owlette/api/admin/screenshots", params=both),
        client.get("/owlette/api/admin/screenshots/shot_x/image", params=site),
        # installer uploads are for global admins only
        client.post("/owlette/api/admin/installer/upload", headers=O, json={"version": "1.0.0", "fileName": "a.exe"}),
        client.put("/owlette/api/admin/installer/upload", headers=O, json={"uploadId": "upl_x"}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), [(n, r.text) for n, r in enumerate(refused) if r.status_code != 403]
    # the other site's agent token does not reach this site's command
    assert client.post(f"/owlette/api/agent/commands/{command_id}", headers=fleet["DESKTOP-B"],
                       json={"status": "completed"}).status_code == 404
