"""The reference agent drives the fleet end to end against ``agentdeck serve --workers 2``: it
enrols with a registration code, appears online, gets a restart sent from the dashboard while
online and one queued while it was off, installs a deployment (one of two machines fails), a
crash report emails the site admin through a real SMTP server and fires a webhook whose
signature the receiver checks; an installer is uploaded and downloaded. A held command poll
answers at once when the server is told to stop."""
from __future__ import annotations

import hashlib
import hmac
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.owlette_agent import ReferenceAgent
from tests.support.receiver import WebhookReceiver
from tests.support.servers import OUTSIDE_THE_SOURCE, agentdeck_serve
from tests.support.smtp import SmtpServer

AGENTDECK = str(Path(sys.executable).parent / "agentdeck")
ORIGIN = "http://dashboard.test"
O = {"Origin": ORIGIN}
SITE = {"siteId": "nyc-office"}


def _cli(env, *args):
    subprocess.run([AGENTDECK, "owlette", *args], env={**os.environ, **env}, cwd=OUTSIDE_THE_SOURCE,
                   check=True, capture_output=True, text=True)


def _until(check, timeout=20.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def fleet_server(settings, tmp_path):
    """Two workers serving owlette on this test's database, email to a loopback SMTP server."""
    with SmtpServer(mode="starttls", user="relay", password="pw") as smtp:
        env = {"AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_SURFACES": "owlette",
               "AGENTDECK_LOG_LEVEL": "WARNING", "AGENTDECK_OWLETTE_ORIGIN": ORIGIN,
               "AGENTDECK_OWLETTE_RP_ID": "dashboard.test", "AGENTDECK_OUTBOUND_ALLOW_PRIVATE": "true",
               **smtp.env()}
        _cli(env, "user-create", "admin@example.com", "--password", "s3cret-pass", "--admin")
        _cli(env, "site-create", "nyc-office", "--name", "NYC Office", "--owner", "admin@example.com")
        with agentdeck_serve(2, env, OUTSIDE_THE_SOURCE) as url:
            dashboard = httpx.Client(base_url=f"{url}/owlette", headers=O, timeout=60)
            signed = dashboard.post("/api/auth/session", json={"email": "admin@example.com", "password": "s3cret-pass"})
            assert signed.status_code == 200, signed.text
            yield url, dashboard, smtp
            dashboard.close()


def _agent(url, dashboard, machine, **kwargs) -> ReferenceAgent:
    code = dashboard.post("/api/agent/generate-installer", json=SITE).json()["registrationCode"]
    agent = ReferenceAgent(f"{url}/owlette", machine, poll_wait=2, **kwargs)
    agent.enrol(code)
    return agent


def test_the_reference_agent_runs_the_fleet_end_to_end(fleet_server):
    url, dashboard, smtp = fleet_server

    def failing_install(data):
        raise RuntimeError("installer exited with code 1603")

    a = _agent(url, dashboard, "DESKTOP-A").start()
    b = _agent(url, dashboard, "DESKTOP-B", handlers={"install_software": failing_install})
    try:
        # A appears online; B, enrolled but never run, is not listed before its first heartbeat
        def online():
            machines = dashboard.get("/api/admin/machines", params=SITE).json()["machines"]
            return {m["id"]: m["online"] for m in machines} if any(m["online"] for m in machines) else None
        assert _until(online, what="DESKTOP-A online") == {"DESKTOP-A": True}

        # a restart sent while A is online reaches it and its result comes back
        sent = dashboard.post("/api/admin/commands/send", json={
            **SITE, "machineId": "DESKTOP-A", "command": "restart_process",
            "data": {"process_name": "TouchDesigner"}, "wait": True, "timeout": 30})
        assert sent.status_code == 200, sent.text
        assert sent.json()["status"] == "completed"
        assert sent.json()["result"] == {"echo": {"process_name": "TouchDesigner"}}

        # one sent while B is off reaches it when it comes back
        queued = dashboard.post("/api/admin/commands/send", json={
            **SITE, "machineId": "DESKTOP-B", "command": "restart_process", "data": {"process_name": "Resolume"}}).json()
        state = dashboard.get(f"/api/admin/commands/{queued['commandId']}", params=SITE).json()["command"]
        assert state["status"] == "pending"
        b.start()
        done = _until(lambda: (dashboard.get(f"/api/admin/commands/{queued['commandId']}", params=SITE)
                               .json()["command"]["status"] == "completed"), what="the queued command")
        assert done and [c["id"] for c in b.received if c["type"] == "restart_process"] == [queued["commandId"]]

        # a deployment to both: A installs, B's installer fails
        deployment = dashboard.post("/api/admin/deployments", json={
            **SITE, "name": "TouchDesigner 2023", "installer_name": "td.exe",
            "installer_url": "https://cdn.example/td.exe", "silent_flags": "/S",
            "machineIds": ["DESKTOP-A", "DESKTOP-B"]}).json()["deploymentId"]

        def deployed():
            got = dashboard.get(f"/api/admin/deployments/{deployment}", params=SITE).json()["deployment"]
            targets = {t["machineId"]: t["status"] for t in got["targets"]}
            return (got["status"], targets) if "pending" not in targets.values() and \
                not {"downloading", "installing"} & set(targets.values()) else None
        status, targets = _until(deployed, what="the deployment to finish")
        assert targets == {"DESKTOP-A": "completed", "DESKTOP-B": "failed"}
        assert status in ("failed", "partial")

        # a crash report emails the site admin and fires a signed webhook
        receiver = WebhookReceiver()
        with receiver.serve() as hook:
            created = dashboard.post("/api/admin/webhooks", json={
                **SITE, "name": "ops", "url": f"{hook.url}/hook", "events": ["process_crash"]}).json()
            alert = a.http.post("/api/agent/alert", headers=a.headers, json={
                "type": "process_crash", **SITE, "machineId": "DESKTOP-A", "machineName": "Gallery PC 1",
                "data": {"processName": "TouchDesigner", "errorMessage": "Process exited with code -1073741819"}})
            assert alert.status_code == 200 and alert.json()["emailSent"] is True, alert.text
            _until(lambda: receiver.received, what="the webhook")
        [mail] = smtp.wait_for(1)
        assert mail.rcpt_tos == ["admin@example.com"] and "TouchDesigner" in mail.message["Subject"]
        [got] = receiver.received
        signature = "sha256=" + hmac.new(created["secret"].encode(), got.body, hashlib.sha256).hexdigest()
        assert got.headers["x-owlette-signature"] == signature
        assert got.json()["data"]["process"] == {"name": "TouchDesigner"}
    finally:
        for agent in (a, b):
            agent.stop(goodbye=agent._thread is not None)
            agent.close()
    machines = dashboard.get("/api/admin/machines", params=SITE).json()["machines"]
    assert {m["id"]: m["online"] for m in machines} == {"DESKTOP-A": False, "DESKTOP-B": False}  # said goodbye
    assert a.errors == [] and b.errors == []

    # an installer uploaded by the admin is downloaded through its signed URL
    data = b"MZ" + b"owlette installer" * 500
    started = dashboard.post("/api/admin/installer/upload", json={"version": "2.1.9", "fileName": "OwletteSetup.exe"}).json()
    put = dashboard.put(started["uploadUrl"].split("/owlette", 1)[1], content=data,
                        headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 200, put.text
    finished = dashboard.put("/api/admin/installer/upload",
                             json={"uploadId": started["uploadId"], "checksum_sha256": hashlib.sha256(data).hexdigest()})
    assert finished.status_code == 200, finished.text
    latest = dashboard.get("/api/admin/installer/latest").json()
    download = httpx.get(f"{url}/owlette" + latest["downloadUrl"].split("/owlette", 1)[1])
    assert download.status_code == 200 and download.content == data


def test_a_held_command_poll_answers_when_the_server_is_told_to_stop(settings, tmp_path):
    env = {"AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_SURFACES": "owlette",
           "AGENTDECK_LOG_LEVEL": "WARNING", "AGENTDECK_OWLETTE_ORIGIN": ORIGIN}
    _cli(env, "user-create", "admin@example.com", "--password", "s3cret-pass", "--admin")
    _cli(env, "site-create", "nyc-office", "--owner", "admin@example.com")
    answers = []
    with agentdeck_serve(1, env, OUTSIDE_THE_SOURCE) as url:
        with httpx.Client(base_url=f"{url}/owlette", headers=O) as dashboard:
            dashboard.post("/api/auth/session", json={"email": "admin@example.com", "password": "s3cret-pass"})
            agent = _agent(url, dashboard, "DESKTOP-A")

        def poll():
            started = time.monotonic()
            answers.append((agent.poll_once(wait=60), time.monotonic() - started))

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(1.5)  # the poll is held
        told = time.monotonic()
        url.process.send_signal(signal.SIGTERM)
        poller.join(30)
        url.process.wait(30)
        assert time.monotonic() - told < 8, "the server held its stop for the poll"
    agent.close()
    commands, took = answers[0]
    assert commands == [] and took < 10
