"""Cortex's fleet tools: the site's machines, a machine's status and processes, recent logs, and
commands (restart or kill a process) — those only for users allowed to send commands.

They are agent tools registered through ``register_agent_tools`` (plugin
``tools.owlette_fleet``) under ``owlette_*`` names. Registered, they are marked ``needs_context``
(not offered to agtOS chat or workflows) and refuse to run: a tool needs the cortex
conversation's site and user, which ``bound_tools`` gives each conversation's copy.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from agentdeck.agent_tools import AgentTool, available_agent_tools, needs_context

PREFIX = "owlette_"
MACHINE = {"type": "string", "minLength": 1, "maxLength": 200, "description": "the machine id"}
PROCESS = {"type": "string", "minLength": 1, "maxLength": 200, "description": "the process name as configured"}


@dataclass(frozen=True)
class CortexContext:
    """Whose conversation a tool call belongs to."""

    site_id: str
    user_id: str | None
    may_command: bool


def list_machines(ctx: CortexContext) -> dict:
    from agentdeck.owlette.fleet import machines

    found = machines.list_machines(ctx.site_id)
    return {"machines": found, "online": sum(1 for m in found if m["online"]), "total": len(found)}


def machine_status(ctx: CortexContext, machineId: str) -> dict:
    from agentdeck.owlette.fleet import machines

    return machines.status(ctx.site_id, machineId)


def machine_processes(ctx: CortexContext, machineId: str) -> dict:
    from agentdeck.owlette.fleet import processes

    return {"processes": processes.list_processes(ctx.site_id, machineId)}


def recent_logs(ctx: CortexContext, machineId: str | None = None, level: str | None = None,
                limit: int = 20) -> dict:
    from agentdeck.owlette import activity

    return {"logs": activity.list_entries(ctx.site_id, limit=limit, machine_id=machineId, level=level)}


def _command(ctx: CortexContext, machine_id: str, type_: str, data: dict) -> dict:
    if not ctx.may_command:
        raise PermissionError("this user may not send commands to machines")
    from agentdeck.owlette import activity
    from agentdeck.owlette.fleet import commands

    sent = commands.send(ctx.site_id, machine_id, type_, data, user=ctx.user_id, wait=True, timeout=30)
    activity.record(ctx.site_id, "cortex_command", machine_id=machine_id, user_id=ctx.user_id,
                    details={"type": type_, **data, "commandId": sent["commandId"]})
    return sent


def restart_process(ctx: CortexContext, machineId: str, processName: str) -> dict:
    return _command(ctx, machineId, "restart_process", {"process_name": processName})


def kill_process(ctx: CortexContext, machineId: str, processName: str) -> dict:
    return _command(ctx, machineId, "kill_process", {"process_name": processName})


def _obj(properties: dict, required=()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


TOOLS = {
    "owlette_list_machines": ("The site's machines: id, name, online, last heartbeat, agent version.",
                              _obj({}), list_machines, False),
    "owlette_machine_status": ("One machine's status: metrics (cpu, memory, disk, gpu), process states, health.",
                               _obj({"machineId": MACHINE}, ["machineId"]), machine_status, False),
    "owlette_machine_processes": ("The processes configured on a machine, with their state.",
                                  _obj({"machineId": MACHINE}, ["machineId"]), machine_processes, False),
    "owlette_recent_logs": ("The site's recent activity log (crashes, commands, alerts), newest first.",
                            _obj({"machineId": MACHINE, "level": {"type": "string", "enum": ["info", "warning", "error"]},
                                  "limit": {"type": "integer", "minimum": 1, "maximum": 100}}),
                            recent_logs, False),
    "owlette_restart_process": ("Restart a process on a machine (waits up to 30 s for the agent's result).",
                                _obj({"machineId": MACHINE, "processName": PROCESS}, ["machineId", "processName"]),
                                restart_process, True),
    "owlette_kill_process": ("Stop a process on a machine (waits up to 30 s for the agent's result).",
                             _obj({"machineId": MACHINE, "processName": PROCESS}, ["machineId", "processName"]),
                             kill_process, True),
}


@needs_context
def _outside_cortex(**_arguments):
    raise PermissionError("owlette fleet tools answer only inside an owlette cortex conversation")


def register(register_tool) -> None:
    """Register every fleet tool (unbound: each refuses outside a cortex conversation)."""
    for name, (description, parameters, _func, _commands) in TOOLS.items():
        register_tool(name, description, parameters, _outside_cortex)


def bound_tools(ctx: CortexContext) -> dict[str, AgentTool]:
    """This conversation's tools: the registered fleet tools bound to ``ctx``; command tools are
    left out for a user who may not send commands."""
    tools = {}
    for name, tool in available_agent_tools(with_context_bound=True).items():
        if not name.startswith(PREFIX) or name not in TOOLS:
            continue
        _description, _parameters, func, sends_commands = TOOLS[name]
        if sends_commands and not ctx.may_command:
            continue
        tools[name] = replace(tool, func=lambda _f=func, **arguments: _f(ctx, **arguments))
    return tools
