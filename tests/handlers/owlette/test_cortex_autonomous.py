"""Autonomous cortex over HTTP: an event investigated in the background with the site's key and the
read-only fleet tools, kept as a chat, escalated by email through a real SMTP server; the
refusals (disabled, cooldown, concurrency), the secrets, and who may read a kept chat."""
from __future__ import annotations

import time

import pytest

from agentdeck.settings import reset_settings
from tests.handlers.owlette.conftest import ORIGIN, sign_in

O = {"Origin": ORIGIN}
SECRET = {"x-cortex-secret": "cortex-secret"}
CRASH = {"siteId": "nyc-office", "machineId": "DESKTOP-ABC123", "machineName": "Gallery PC 1",
         "eventType": "process_crash", "processName": "TouchDesigner",
         "errorMessage": "Process exited with code -1073741819"}


@pytest.fixture
def world(settings, monkeypatch, smtp, owlette, client):
    monkeypatch.setenv("AGENTDECK_OWLETTE_CORTEX_SECRET", "cortex-secret")
    monkeypatch.setenv("AGENTDECK_OWLETTE_CRON_SECRET", "cron-secret")
    reset_settings()
    owner = owlette.user("owner@example.com")
    owlette.site("nyc-office", owner=owner, members=[owlette.user("member@example.com")])
    owlette.site("lon-office", owner=owlette.user("lon@example.com"))
    return owlette


def _site_key():
    from agentdeck.owlette import llm_keys

    llm_keys.set_key("site", "nyc-office", "anthropic", "sk-ant-site")


def _finished(client, chat_id, site="nyc-office", timeout=20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chat = client.get(f"/owlette/api/cortex/chats/{chat_id}", params={"siteId": site}).json()["chat"]
        if chat["status"] != "running":
            return chat
        time.sleep(0.1)
    raise AssertionError(f"the investigation {chat_id} did not finish")


def test_an_event_is_investigated_kept_and_escalated_to_the_site_admins(world, smtp, client, use_fake_anthropic):
    from agentdeck.owlette.fleet import machines

    _site_key()
    machines.heartbeat("nyc-office", "DESKTOP-ABC123", {"online": True, "hostname": "Gallery PC 1"})
    use_fake_anthropic.reply(tool_calls=[{"id": "toolu_1", "name": "owlette_machine_status",
                                          "arguments": {"machineId": "DESKTOP-ABC123"}}])
    use_fake_anthropic.reply(tool_calls=[{"id": "toolu_2", "name": "owlette_escalate",
                                          "arguments": {"summary": "TouchDesigner keeps crashing (access violation).",
                                                        "severity": "critical"}}])
    use_fake_anthropic.reply("TouchDesigner crashed with an access violation; escalated.")

    answer = client.post("/owlette/api/cortex/autonomous", headers=SECRET, json=CRASH)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["accepted"] is True and body["chatId"].startswith("cortex_") and body["eventId"]

    sign_in(client, "owner@example.com")
    chat = _finished(client, body["chatId"])
    assert chat["status"] == "done", chat
    assert chat["event"] == {k: v for k, v in CRASH.items() if k not in ("siteId", "machineId")}
    assert "TouchDesigner" in chat["messages"][0]["content"]
    assert [m["name"] for m in chat["messages"] if m["role"] == "tool"] == ["owlette_machine_status", "owlette_escalate"]
    assert chat["messages"][-1] == {"role": "assistant",
                                    "content": "TouchDesigner crashed with an access violation; escalated."}
    [escalation] = chat["escalations"]
    assert escalation["severity"] == "critical" and escalation["status"] == "sent"

    mails = smtp.wait_for(2)
    assert sorted(m.rcpt_tos[0] for m in mails) == ["member@example.com", "owner@example.com"]
    assert "Cortex escalation" in mails[0].message["Subject"]
    assert "keeps crashing" in mails[0].message.get_content()

    first = use_fake_anthropic.requests[-3]
    assert first.headers["authorization"] == "Bearer sk-ant-site"
    offered = {tool["name"] for tool in first.json["tools"]}
    assert {"owlette_machine_status", "owlette_escalate"} <= offered
    assert not offered & {"owlette_restart_process", "owlette_kill_process"}  # nobody to answer for commands

    # sent once: the cron pass finds nothing left
    again = client.get("/owlette/api/cortex/escalation", headers={"Authorization": "Bearer cron-secret"})
    assert again.status_code == 200 and again.json()["processed"] == 0


def test_refusals_disabled_cooldown_and_concurrency(world, client, monkeypatch, use_fake_anthropic):
    from agentdeck.storage.models.owlette_cortex import OwletteCortexChat

    post = lambda body: client.post("/owlette/api/cortex/autonomous", headers=SECRET, json=body).json()  # noqa: E731
    assert post(CRASH) == {"accepted": False, "reason": "autonomous_disabled"}  # no site key
    _site_key()
    monkeypatch.setenv("AGENTDECK_OWLETTE_CORTEX_AUTONOMOUS", "false")
    reset_settings()
    assert post(CRASH) == {"accepted": False, "reason": "autonomous_disabled"}
    monkeypatch.setenv("AGENTDECK_OWLETTE_CORTEX_AUTONOMOUS", "true")
    monkeypatch.setenv("AGENTDECK_OWLETTE_CORTEX_CONCURRENCY", "1")
    reset_settings()

    use_fake_anthropic.reply("All recovered.")
    assert post(CRASH)["accepted"] is True
    assert post(CRASH) in ({"accepted": False, "reason": "cooldown_active"},
                           {"accepted": False, "reason": "concurrency_limit"})
    sign_in(client, "owner@example.com")
    for chat in OwletteCortexChat.select():
        _finished(client, chat.id)
    assert post(CRASH) == {"accepted": False, "reason": "cooldown_active"}  # the same machine, process and event

    OwletteCortexChat.create(id="cortex_held", site="nyc-office", machine_id="PC-9", event={})  # one running
    assert post({**CRASH, "processName": "Other"}) == {"accepted": False, "reason": "concurrency_limit"}
    assert client.post("/owlette/api/cortex/autonomous", headers=SECRET,
                       json={**CRASH, "siteId": "nowhere"}).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"x-cortex-secret": "wrong"}, {"x-cortex-secret": "é".encode() * 3}])
def test_the_internal_routes_need_the_cortex_secret(world, client, headers):
    assert client.post("/owlette/api/cortex/autonomous", headers=headers, json=CRASH).status_code == 401
    assert client.post("/owlette/api/cortex/escalation", headers=headers).status_code == 401


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "cron-secret", "Basic cron-secret"])
def test_the_cron_form_of_escalation_needs_the_cron_secret_as_a_bearer(world, client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    assert client.get("/owlette/api/cortex/escalation", headers=headers).status_code == 401


def test_without_secrets_configured_the_internal_routes_are_closed(world, client, monkeypatch):
    monkeypatch.delenv("AGENTDECK_OWLETTE_CORTEX_SECRET")
    monkeypatch.delenv("AGENTDECK_OWLETTE_CRON_SECRET")
    reset_settings()
    assert client.post("/owlette/api/cortex/autonomous", headers=SECRET, json=CRASH).status_code == 401
    assert client.post("/owlette/api/cortex/escalation", headers=SECRET).status_code == 401
    assert client.get("/owlette/api/cortex/escalation", headers={"Authorization": "Bearer "}).status_code == 401


def test_pending_escalations_are_emailed_once_by_either_caller(world, smtp, client):
    from agentdeck.storage.models.owlette_cortex import OwletteCortexEscalation

    OwletteCortexEscalation.create(id="esc_1", site="nyc-office", machine_id="PC-1", summary="Disk almost full.")
    OwletteCortexEscalation.create(id="esc_2", site="lon-office", machine_id="PC-7", summary="GPU too hot.")
    answer = client.post("/owlette/api/cortex/escalation", headers=SECRET).json()
    assert answer["processed"] == 2 and answer["emailsSent"] == 2
    assert {e["id"]: e["recipients"] for e in answer["escalations"]} == {
        "esc_1": ["member@example.com", "owner@example.com"], "esc_2": ["lon@example.com"]}
    assert len(smtp.wait_for(3)) == 3
    assert client.get("/owlette/api/cortex/escalation",
                      headers={"Authorization": "Bearer cron-secret"}).json()["processed"] == 0


def test_a_kept_chat_is_for_its_sites_users_only(world, client):
    from agentdeck.storage.models.owlette_cortex import OwletteCortexChat

    OwletteCortexChat.create(id="cortex_1", site="nyc-office", machine_id="PC-1", event={"eventType": "process_crash"},
                             status="done", messages=[{"role": "assistant", "content": "Fine."}])
    path = "/owlette/api/cortex/chats/cortex_1"
    assert client.get(path, params={"siteId": "nyc-office"}).status_code == 401  # nobody signed in
    sign_in(client, "lon@example.com")
    assert client.get(path, params={"siteId": "nyc-office"}).status_code == 403  # another site's user
    assert client.get(path, params={"siteId": "lon-office"}).status_code == 404  # not that site's chat
    sign_in(client, "member@example.com")
    chat = client.get(path, params={"siteId": "nyc-office"}).json()["chat"]
    assert chat["messages"] == [{"role": "assistant", "content": "Fine."}] and chat["escalations"] == []
    assert client.get("/owlette/api/cortex/chats/none", params={"siteId": "nyc-office"}).status_code == 404
