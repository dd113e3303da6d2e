"""The register_agent_tools hook: registration checks, the built-in current_time, how calls run."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest

from agentdeck import hookimpl
from agentdeck.agent_tools import AgentTool, available_agent_tools, call_tool
from agentdeck.plugins.manager import DuplicateRegistration, get_plugin_manager

OBJECT = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


class ToolPlugin:
    def __init__(self, *tools):
        self.tools = tools

    @hookimpl
    def register_agent_tools(self, register):
        for tool in self.tools:
            register(*tool)


async def double(n):
    return {"double": n * 2}


def test_builtin_current_time_is_registered_as_a_plugin(settings):
    manager = get_plugin_manager()
    plugin = next(p for p in manager.plugins() if p.name == "tools.current_time")
    assert plugin.builtin and plugin.hooks == ["register_agent_tools"]
    tool = available_agent_tools()["current_time"]
    assert tool.spec()["parameters"]["properties"]["timezone"]["type"] == "string"


async def test_current_time_answers_in_the_zone_asked(settings):
    outcome = await call_tool(available_agent_tools(), "current_time", {"timezone": "Asia/Tokyo"},
                              timeout=5)
    assert outcome.error is None
    assert datetime.fromisoformat(outcome.result["iso"]).utcoffset().total_seconds() == 9 * 3600
    assert abs(outcome.result["unix"] - time.time()) < 5
    unknown = await call_tool(available_agent_tools(), "current_time", {"timezone": "Mars/Base"},
                              timeout=5)
    assert "unknown time zone 'Mars/Base'" in unknown.error


async def test_sync_and_async_tools_from_a_plugin_are_called(settings):
    get_plugin_manager().register(ToolPlugin(("acme-double", "Doubles n.", OBJECT, double),
                                             ("acme-neg", "Negates n.", OBJECT, lambda n: -n)),
                                  name="acme-tools")
    tools = available_agent_tools()
    assert {"acme-double", "acme-neg", "current_time"} <= set(tools)
    assert (await call_tool(tools, "acme-double", {"n": 4}, timeout=5)).result == {"double": 8}
    negated = await call_tool(tools, "acme-neg", {"n": 4}, timeout=5)
    assert (negated.result, negated.for_model()) == (-4, "-4")


async def test_a_result_is_made_json_ready(settings):
    when = datetime(2026, 1, 2, 3, 4, 5)
    tool = AgentTool.checked("acme-when", "When.", {"type": "object"}, lambda: {"at": when, "ok": (1, 2)})
    outcome = await call_tool({tool.name: tool}, "acme-when", {}, timeout=5)
    assert outcome.result == {"at": "2026-01-02 03:04:05", "ok": [1, 2]}
    assert outcome.for_model() == '{"at": "2026-01-02 03:04:05", "ok": [1, 2]}'


async def test_bad_arguments_failures_and_timeouts_become_the_tools_error(settings):
    async def slow(n):
        await asyncio.sleep(5)

    def broken(n):
        raise RuntimeError("disk on fire")

    tools = {t.name: t for t in (AgentTool.checked("slow", "Slow.", OBJECT, slow),
                                 AgentTool.checked("broken", "Broken.", OBJECT, broken))}
    wrong = await call_tool(tools, "broken", {"n": "four"}, timeout=5)
    assert wrong.error == "invalid arguments at n: 'four' is not of type 'integer'"
    assert (await call_tool(tools, "broken", {"n": 1}, timeout=5)).for_model() == \
        '{"error": "RuntimeError: disk on fire"}'
    started = time.monotonic()
    assert "within 0.1 seconds" in (await call_tool(tools, "slow", {"n": 1}, timeout=0.1)).error
    assert time.monotonic() - started < 1
    assert (await call_tool(tools, "nope", {}, timeout=5)).error == "unknown tool 'nope'"
    assert (await call_tool(tools, "slow", {"_raw": "{n:"}, timeout=5)).error == \
        "the arguments are not a JSON object"


@pytest.mark.parametrize("tool, problem", [
    (("bad name!", "x", OBJECT, double), "must be 1-64 letters"),
    (("ok", "", OBJECT, double), "needs a description"),
    (("ok", "x", {"type": "string"}, double), "type object"),
    (("ok", "x", {"type": "object", "properties": {"n": {"type": 3}}}, double), "not a valid JSON Schema"),
    (("ok", "x", OBJECT, "not callable"), "is not callable"),
])
def test_a_malformed_registration_is_refused_on_first_use(settings, tool, problem):
    get_plugin_manager().register(ToolPlugin(tool), name="bad-tools")
    with pytest.raises((ValueError, TypeError), match=problem):
        available_agent_tools()


def test_two_tools_of_one_name_are_refused(settings):
    manager = get_plugin_manager()
    manager.register(ToolPlugin(("current_time", "Mine.", OBJECT, double)), name="clash")
    with pytest.raises(DuplicateRegistration, match="agent tool 'current_time' registered twice"):
        manager.agent_tools()
