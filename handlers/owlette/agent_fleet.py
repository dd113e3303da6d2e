"""The agent's fleet endpoints (agent bearer token): heartbeat, commands long-poll and reports,
software inventory, process configuration, screenshots."""
from starlette.concurrency import run_in_threadpool

from agentdeck.owlette.fleet import commands, machines, processes, screenshots
from agentdeck.storage.db import gives_back_connection

from agentdeck.owlette.fleet.callers import agent_machine


def heartbeat(body, token_info):
    """POST /api/agent/heartbeat"""
    site, machine = agent_machine(token_info, body.get("siteId"), body.get("machineId"))
    return machines.heartbeat(site, machine, body, token_info.get("version")), 200


async def poll_commands(token_info, wait=0):
    """GET /api/agent/commands"""
    site, machine = agent_machine(token_info)
    return await commands.poll(site, machine, wait), 200


def report_command(commandId, body, token_info):
    """POST /api/agent/commands/{commandId}"""
    site, machine = agent_machine(token_info)
    return commands.report(site, machine, commandId, body["status"], body.get("result"), body.get("error"),
                           body.get("progress")), 200


def put_software(body, token_info):
    """PUT /api/agent/software"""
    site, machine = agent_machine(token_info, body.get("siteId"), body.get("machineId"))
    return {"success": True, "count": machines.push_software(site, machine, body["software"])}, 200


def get_config(token_info):
    """GET /api/agent/config"""
    site, machine = agent_machine(token_info)
    return processes.agent_config(site, machine), 200


async def upload_screenshot(body, token_info):
    """POST /api/agent/screenshot"""
    site, machine = agent_machine(token_info, body.get("siteId"), body.get("machineId"))
    return await run_in_threadpool(gives_back_connection(screenshots.store), site, machine, body.get("screenshot")), 200
