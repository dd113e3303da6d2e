"""As a new user would, against `agentdeck serve --workers 2`: register and activate a device,
add a workflow with the operator's command, schedule a task that runs it every second, and see
it run exactly once per due time; and across a restart, a run missed while the servers were
down fires once on start, not once per missed slot."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx

from agentdeck.storage.models.scheduler import ScheduledTask
from agentdeck.timeutil import utcnow
from tests.support.database import db  # noqa: F401  (fixture)
from tests.support.servers import agentdeck_serve

ENV = {"AGENTDECK_SURFACES": "agtos", "AGENTDECK_VALIDATE_RESPONSES": "false", "API_RATE_LIMIT": "1000"}
WORKFLOW = """
id: every-second
name: Every Second
steps:
  - {id: now, name: Check Time, type: ACTION, tool: current_time}
"""


def add_workflow(tmp_path: Path) -> None:
    path = tmp_path / "every-second.yaml"
    path.write_text(WORKFLOW)
    command = [str(Path(sys.executable).parent / "agentdeck"), "agtos", "workflow-add", str(path)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "added workflow every-second" in done.stdout


def test_a_scheduled_workflow_runs_once_per_due_time_with_two_workers(db, tmp_path):  # noqa: F811
    add_workflow(tmp_path)
    with agentdeck_serve(2, ENV, tmp_path) as url, httpx.Client(base_url=f"{url}/agtos/api", timeout=60) as http:
        device = http.post("/devices/register", json={"name": "Kitchen Speaker", "deviceType": "esp32", "platform": "esp32-s3",
                                                      "capabilities": {"audio": True}, "secret": "my-device-secret"})
        assert device.status_code == 201 and device.json()["device"]["status"] == "pending"
        device_id = device.json()["device"]["id"]
        assert http.put(f"/devices/{device_id}", json={"status": "active"}).json()["device"]["status"] == "active"
        assert http.post(f"/devices/{device_id}/authenticate", json={"secret": "my-device-secret"}).json()["authenticated"]
        task = http.post("/scheduler/tasks", json={"name": "Every second", "scheduleType": "interval", "intervalMs": 1000,
                                                   "eventTopic": "walkthrough.tick",
                                                   "payload": {"workflowId": "every-second", "input": {}}}).json()["task"]
        time.sleep(6.5)
        assert http.delete(f"/scheduler/tasks/{task['id']}").status_code == 200
        runs = ScheduledTask.get_or_none(ScheduledTask.id == task["id"])
        assert runs is None
        deadline = time.monotonic() + 15
        while True:  # the last events' deliveries
            executions = http.get("/workflows/every-second/executions", params={"limit": 100}).json()["executions"]
            fired = http.get("/workflows/every-second/executions").json()
            if (all(e["state"] == "completed" for e in executions) and len(executions) >= 5) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    events = [e["eventId"] for e in executions]
    assert len(events) == len(set(events)), "an event ran the workflow twice"
    assert 5 <= len(executions) <= 8, f"{len(executions)} runs in about 6.5 s of a 1-second task"
    assert all(e["state"] == "completed" and e["trigger"] == "event" for e in executions)
    starts = sorted(e["startTime"] for e in executions)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) > 400, f"two runs for one due time: {gaps}"  # once a second, not twice
    assert fired["count"] == len(executions)


def test_a_run_missed_while_down_fires_once_on_start(db, tmp_path):  # noqa: F811
    add_workflow(tmp_path)
    with agentdeck_serve(2, ENV, tmp_path) as url:
        task = httpx.post(f"{url}/agtos/api/scheduler/tasks", json={
            "name": "Every minute", "scheduleType": "interval", "intervalMs": 60000, "eventTopic": "walkthrough.minute",
            "payload": {"workflowId": "every-second"}}).json()["task"]
    # down for ten minutes: ten due times missed
    ScheduledTask.update(next_run_at=utcnow() - timedelta(minutes=10)).where(ScheduledTask.id == task["id"]).execute()
    with agentdeck_serve(2, ENV, tmp_path) as url:
        def seen():
            return (httpx.get(f"{url}/agtos/api/scheduler/tasks").json()["tasks"],
                    httpx.get(f"{url}/agtos/api/workflows/every-second/executions").json())

        deadline = time.monotonic() + 30  # a loaded machine can take a while to start both workers
        while time.monotonic() < deadline:
            listed, executions = seen()
            if listed[0]["runCount"] and executions["count"]:
                break
            time.sleep(0.2)
        time.sleep(2)  # long enough for a second (wrong) catch-up run from the other worker
        listed, executions = seen()
    assert listed[0]["runCount"] == 1, "fired once on start, not once per missed slot"
    assert listed[0]["nextRunAt"] > int(time.time() * 1000)
    assert executions["count"] == 1
