"""Scheduled tasks over HTTP: the reference's bodies and errors, firing, and the subscribers that
act on a fired task's payload (a workflow, an agent task, an alert)."""
import asyncio
import time

import pytest

from agentdeck import eventbus, scheduler
from agentdeck.agtos.scheduling import reminders, subscribers
from agentdeck.agtos.workflows import add_workflow
from agentdeck.storage.models.agtos_workflows import WorkflowExecution

MORNING = {"name": "Morning briefing", "scheduleType": "cron", "expression": "0 7 * * *",
           "eventTopic": "briefing.morning", "payload": {"workflowId": "morning-routine"}}


def test_create_list_and_cancel(client):
    created = client.post("/agtos/api/scheduler/tasks", json=MORNING)
    assert created.status_code == 201, created.text
    task = created.json()["task"]
    assert task["id"].startswith("task-") and task["status"] == "active"
    assert task["schedule"] == {"type": "cron", "expression": "0 7 * * *"}
    assert task["action"] == {"eventTopic": "briefing.morning", "payload": {"workflowId": "morning-routine"}}
    assert task["runCount"] == 0 and task["nextRunAt"] > task["createdAt"] and "lastRunAt" not in task
    assert task["nextRunAt"] % 86_400_000 == 7 * 3_600_000  # 07:00 UTC
    listed = client.get("/agtos/api/scheduler/tasks").json()
    assert listed == {"tasks": [task], "count": 1}
    assert client.delete(f"/agtos/api/scheduler/tasks/{task['id']}").json() == {"success": True, "taskId": task["id"]}
    missing = client.delete(f"/agtos/api/scheduler/tasks/{task['id']}")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Failed to cancel task", "message": "Task not found"}
    assert client.get("/agtos/api/scheduler/tasks").json()["count"] == 0


def test_cron_in_a_timezone_and_once_and_interval(client):
    paris = client.post("/agtos/api/scheduler/tasks", json={**MORNING, "timezone": "Europe/Paris"}).json()["task"]
    assert paris["schedule"]["timezone"] == "Europe/Paris"
    assert paris["nextRunAt"] % 3_600_000 == 0 and paris["nextRunAt"] % 86_400_000 in (5 * 3_600_000, 6 * 3_600_000)
    at = int(time.time() * 1000) + 3_600_000
    once = client.post("/agtos/api/scheduler/tasks", json={"name": "Once", "scheduleType": "once",
                                                           "atTimestamp": at, "eventTopic": "t"}).json()["task"]
    assert once["schedule"] == {"type": "once", "atTimestamp": at} and once["nextRunAt"] == at
    every = client.post("/agtos/api/scheduler/tasks", json={"name": "Every", "scheduleType": "interval",
                                                            "intervalMs": 60000, "eventTopic": "t"}).json()["task"]
    assert every["schedule"] == {"type": "interval", "intervalMs": 60000}
    assert abs(every["nextRunAt"] - every["createdAt"] - 60000) < 5


@pytest.mark.parametrize("body, error", [
    ({k: v for k, v in MORNING.items() if k != "name"}, "Missing or invalid field: name"),
    ({**MORNING, "scheduleType": "weekly"}, "Missing or invalid field: scheduleType"),
    ({k: v for k, v in MORNING.items() if k != "eventTopic"}, "Missing or invalid field: eventTopic"),
    ({k: v for k, v in MORNING.items() if k != "expression"}, "Cron schedule requires an expression field"),
    ({**MORNING, "expression": "every day"}, None),
    ({**MORNING, "timezone": "Mars/Olympus"}, "Unknown timezone: Mars/Olympus"),
    ({"name": "x", "scheduleType": "once", "eventTopic": "t"}, "Once schedule requires an atTimestamp field"),
    ({"name": "x", "scheduleType": "interval", "intervalMs": 50, "eventTopic": "t"},
     "Interval schedule requires an intervalMs field of at least 100"),
])
def test_invalid_tasks_get_the_reference_texts(client, body, error):
    response = client.post("/agtos/api/scheduler/tasks", json=body)
    assert response.status_code == 400
    if error is None:
        assert response.json()["error"].startswith("Invalid cron expression")
    else:
        assert response.json() == {"error": error}


def test_an_invalid_task_id_is_400(client):
    assert client.delete("/agtos/api/scheduler/tasks/bad$id").status_code == 400


def test_a_due_task_fires_and_counts_its_run(client):
    created = client.post("/agtos/api/scheduler/tasks", json={"name": "Soon", "scheduleType": "once",
                                                              "atTimestamp": 0, "eventTopic": "soon"}).json()["task"]
    assert [run.task_id for run in scheduler.fire_due_tasks()] == [created["id"]]
    task = client.get("/agtos/api/scheduler/tasks").json()["tasks"][0]
    assert task["status"] == "completed" and task["runCount"] == 1 and task["lastRunAt"] >= created["createdAt"]
    assert task["nextRunAt"] is None


def _event(event_id, payload, topic="t"):
    return eventbus.Event(id=event_id, topic=topic, key=None, payload=payload, created_at=None, attempt=1)


def test_a_fired_workflow_id_runs_the_workflow_once_per_event(client):
    add_workflow("id: hello\nname: Hello\nsteps:\n  - {id: now, name: Now, tool: current_time}\n")
    event = _event(7, {"workflowId": "hello"})
    asyncio.run(subscribers.handle_event(event))
    asyncio.run(subscribers.handle_event(event))  # delivered again: at least once
    runs = list(WorkflowExecution.select())
    assert len(runs) == 1 and runs[0].state == "completed" and runs[0].event_id == 7 and runs[0].trigger == "event"


def test_an_agent_task_runs_through_the_chat_loop_and_publishes_its_answer(client):
    from agentdeck.storage.models.eventbus import Event

    asyncio.run(subscribers.handle_event(_event(9, {"agentTask": "Summarise the news"})))
    done = Event.get(Event.topic == subscribers.COMPLETED_TOPIC)
    assert done.payload["eventId"] == 9 and "Summarise the news" in done.payload["text"]  # the echo provider


def test_an_alert_goes_through_the_operators_channels(client, monkeypatch, caplog):
    monkeypatch.setenv("AGENTDECK_AGTOS_ALERT_CHANNELS", '{"log": {}}')
    with caplog.at_level("INFO"):
        subscribers.send_alert(_event(11, {"alert": {"title": "Reminder", "message": "Call mum"}}))
    assert "Call mum" in caplog.text


def test_the_reminder_tool_schedules_a_once_task(client):
    task = reminders.schedule_reminder("Call mum", inSeconds=60)
    assert task["schedule"]["type"] == "once" and task["action"]["eventTopic"] == "agtos.reminder"
    assert task["action"]["payload"]["alert"]["message"] == "Call mum"
    assert client.get("/agtos/api/scheduler/tasks").json()["count"] == 1
    with pytest.raises(ValueError):
        reminders.schedule_reminder("x")


def test_the_reminder_tool_is_offered_to_chat(client):
    from agentdeck.agent_tools import available_agent_tools

    assert "schedule_reminder" in available_agent_tools()


def test_without_the_api_key_tasks_are_refused(api_key, client):
    for method, path, body in (("get", "/agtos/api/scheduler/tasks", None), ("post", "/agtos/api/scheduler/tasks", MORNING),
                               ("delete", "/agtos/api/scheduler/tasks/task-0000000000000000", None)):
        response = client.request(method, path, json=body)
        assert response.status_code == 401 and response.json()["error"] == "Unauthorized"
    assert client.get("/agtos/api/scheduler/tasks", headers=api_key).json()["count"] == 0
