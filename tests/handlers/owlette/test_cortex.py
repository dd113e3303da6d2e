"""Cortex answers "how is the system doing?" from the fleet's real state: a scripted model on
loopback asks for the machines tool, and its answer streams back; the user's key, then the site's."""
from __future__ import annotations

import json
import re

from tests.handlers.owlette.conftest import ORIGIN, api_key, sign_in

O = {"Origin": ORIGIN}
ASK = {"messages": [{"role": "user", "content": "How's the system doing?"}], "siteId": "nyc-office",
       "machineId": "__site__", "chatId": "chat-1"}


def _event_pattern() -> re.Pattern:
    """What the spec says each event's `data` is (a client's SSE parser sees `{data, event}`)."""
    from agentdeck.settings import get_settings
    from agentdeck.specs import load_spec

    stream = load_spec("owlette.yaml", get_settings())["paths"]["/api/cortex"]["post"]["responses"]["200"]
    return re.compile(stream["content"]["text/event-stream"]["schema"]["properties"]["data"]["pattern"])


def _events(response):
    lines = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    pattern = _event_pattern()
    assert [line for line in lines if not pattern.search(line)] == []
    return [json.loads(line) for line in lines[:-1]]


def test_cortex_reads_the_fleet_with_the_users_key(owlette, client, use_fake_anthropic):
    from agentdeck.owlette.fleet import machines

    owlette.site("nyc-office", owner=owlette.user("owner@example.com"))
    owlette.site("lon-office", owner=owlette.user("lon@example.com"))
    machines.heartbeat("nyc-office", "PC-1", {"online": True, "hostname": "Gallery PC 1"})
    machines.heartbeat("nyc-office", "PC-2", {"online": False})
    sign_in(client, "owner@example.com")
    assert client.post("/owlette/api/cortex", headers=O, json=ASK).status_code == 400  # no key yet
    client.post("/owlette/api/settings/llm-key", headers=O, json={"provider": "anthropic", "apiKey": "sk-ant-user"})

    use_fake_anthropic.reply(tool_calls=[{"id": "toolu_1", "name": "owlette_list_machines", "arguments": {}}])
    use_fake_anthropic.reply("1 of 2 machines is online: Gallery PC 1. PC-2 is offline.")
    response = client.post("/owlette/api/cortex", headers=O, json=ASK)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response)
    assert events[0]["type"] == "start" and events[0]["keySource"] == "user"
    [result] = [e for e in events if e["type"] == "tool_result"]
    assert result["error"] is None
    assert {m["id"]: m["online"] for m in result["result"]["machines"]} == {"PC-1": True, "PC-2": False}
    text = "".join(e["content"] for e in events if e["type"] == "content")
    assert "1 of 2 machines is online" in text
    first, second = use_fake_anthropic.requests[-2:]
    assert first.headers["authorization"] == "Bearer sk-ant-user"
    offered = {tool["name"] for tool in first.json["tools"]}
    assert {"owlette_list_machines", "owlette_restart_process"} <= offered
    assert "PC-2" in json.dumps(second.json["messages"])

    assert client.post("/owlette/api/cortex", headers=O, json=dict(ASK, siteId="lon-office")).status_code == 403
    client.cookies.clear()
    assert client.post("/owlette/api/cortex", json=ASK).status_code == 401
    outsider = {"x-api-key": api_key(client, "lon@example.com")}
    assert client.post("/owlette/api/cortex", headers=outsider, json=ASK).status_code == 403


def test_the_site_key_serves_users_without_one(owlette, client, use_fake_anthropic):
    from agentdeck.owlette import llm_keys

    owlette.site("nyc-office", owner=owlette.user("owner@example.com"))
    llm_keys.set_key("site", "nyc-office", "anthropic", "sk-ant-site")
    sign_in(client, "owner@example.com")
    use_fake_anthropic.reply("All quiet.")
    events = _events(client.post("/owlette/api/cortex", headers=O, json=ASK))
    assert events[0]["keySource"] == "site"
    assert use_fake_anthropic.requests[-1].headers["authorization"] == "Bearer sk-ant-site"


def test_fleet_tools_are_not_offered_elsewhere_and_refuse_outside_cortex(owlette):
    import asyncio

    from agentdeck.agent_tools import available_agent_tools, call_tool

    assert not [name for name in available_agent_tools() if name.startswith("owlette_")]
    registered = available_agent_tools(with_context_bound=True)
    outcome = asyncio.run(call_tool(registered, "owlette_list_machines", {}, timeout=5))
    assert "only inside an owlette cortex conversation" in outcome.error
