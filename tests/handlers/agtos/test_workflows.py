"""Workflows: added from YAML by the operator, listed, executed (tool and prompt steps), failures
and time-outs as the documented 400, every execution recorded."""
import asyncio

import pytest
from click.testing import CliRunner

from agentdeck.agent_tools import AgentTool
from agentdeck.agtos.workflows import add_workflow, engine
from agentdeck.cli import main

MORNING = """
id: morning-routine
name: Morning Routine
description: Says the time and sums it up
steps:
  - id: step-1
    name: Check Time
    type: ACTION
    tool: current_time
    input: {timezone: "{{input.zone}}"}
  - id: step-2
    name: Speak Summary
    type: ACTION
    prompt: "Summarise for {{input.who}}: {{steps.step-1}}"
"""


def test_the_cli_adds_and_removes_and_the_api_lists(client, tmp_path):
    path = tmp_path / "morning.yaml"
    path.write_text(MORNING)
    added = CliRunner().invoke(main, ["agtos", "workflow-add", str(path)])
    assert added.exit_code == 0, added.output
    assert "added workflow morning-routine (2 steps)" in added.output
    body = client.get("/agtos/api/workflows").json()
    assert body["count"] == 1
    listed = body["workflows"][0]
    assert (listed["id"], listed["name"], listed["stepCount"]) == ("morning-routine", "Morning Routine", 2)
    assert [(s["id"], s["name"], s["type"]) for s in listed["steps"]] == [("step-1", "Check Time", "ACTION"),
                                                                        ("step-2", "Speak Summary", "ACTION")]
    removed = CliRunner().invoke(main, ["agtos", "workflow-remove", "morning-routine"])
    assert removed.exit_code == 0 and client.get("/agtos/api/workflows").json()["count"] == 0
    again = CliRunner().invoke(main, ["agtos", "workflow-remove", "morning-routine"])
    assert again.exit_code != 0 and "Workflow not found" in again.output


@pytest.mark.parametrize("text, problem", [
    ("id: x\nname: X\nsteps: []\n", "steps"), ("name: X\nsteps: [{tool: t}]\n", "id"),
    ("id: x\nname: X\nsteps: [{type: WAIT, tool: t}]\n", "ACTION"),
    ("id: x\nname: X\nsteps: [{tool: t, prompt: p}]\n", "either"), (": : :", "YAML"),
])
def test_a_bad_definition_is_refused_with_the_reason(client, tmp_path, text, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["agtos", "workflow-add", str(path)])
    assert result.exit_code != 0 and problem in result.output


def test_execute_runs_tool_and_prompt_steps(client):
    add_workflow(MORNING)
    response = client.post("/agtos/api/workflows/morning-routine/execute",
                           json={"input": {"zone": "Europe/Paris", "who": "Sam"}})
    assert response.status_code == 200, response.text
    execution = response.json()["execution"]
    assert execution["state"] == "completed" and execution["error"] is None
    assert execution["id"].startswith("exec-") and execution["endTime"] >= execution["startTime"]
    assert execution["output"]["step-1"]["timezone"] == "Europe/Paris"
    assert "Summarise for Sam" in execution["output"]["step-2"]  # the echo provider answers a fresh install
    recorded = client.get("/agtos/api/workflows/morning-routine/executions").json()
    assert recorded["count"] == 1 and recorded["executions"][0]["id"] == execution["id"]
    assert recorded["executions"][0]["trigger"] == "api"


def test_a_failing_step_is_the_documented_400_and_recorded(client):
    add_workflow(MORNING)
    response = client.post("/agtos/api/workflows/morning-routine/execute", json={"input": {"zone": "Nowhere/Else"}})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Workflow execution failed"
    assert body["message"].startswith("Step 'Check Time' failed:")
    assert body["execution"]["state"] == "failed"
    recorded = client.get("/agtos/api/workflows/morning-routine/executions").json()["executions"][0]
    assert recorded["state"] == "failed" and recorded["error"] == body["message"]


def test_a_timed_out_step_is_the_documented_400(client, monkeypatch):
    async def slow():
        await asyncio.sleep(5)

    tools = {"slow": AgentTool.checked("slow", "sleeps", {"type": "object"}, slow)}
    monkeypatch.setattr(engine, "available_agent_tools", lambda: tools)
    add_workflow("id: sleepy\nname: Sleepy\nsteps:\n  - {id: nap, name: Check Weather, tool: slow, timeoutMs: 200}\n")
    response = client.post("/agtos/api/workflows/sleepy/execute")
    assert response.status_code == 400
    assert (response.json()["error"], response.json()["message"]) == ("Workflow execution failed",
                                                                     "Step 'Check Weather' timed out")


def test_an_unknown_workflow_is_404_with_its_id(client):
    response = client.post("/agtos/api/workflows/nonexistent/execute", json={})
    assert response.status_code == 404
    assert response.json() == {"error": "Workflow not found", "workflowId": "nonexistent"}
    assert client.get("/agtos/api/workflows/nonexistent/executions").status_code == 404


def test_an_invalid_id_is_400(client):
    assert client.post("/agtos/api/workflows/bad$id/execute", json={}).status_code == 400


def test_without_the_api_key_workflows_are_refused(api_key, client):
    add_workflow(MORNING)
    for method, path in (("get", "/agtos/api/workflows"), ("post", "/agtos/api/workflows/morning-routine/execute"),
                         ("get", "/agtos/api/workflows/morning-routine/executions")):
        response = client.request(method, path, json={} if method == "post" else None)
        assert response.status_code == 401 and response.json()["error"] == "Unauthorized"
    assert client.get("/agtos/api/workflows/morning-routine/executions", headers=api_key).json()["count"] == 0
