"""Registers agtOS memory's ``memory_search`` agent tool (see ``agentdeck.agtos.memory.tool``)."""
from __future__ import annotations

from agentdeck import hookimpl
from agentdeck.agtos.memory import tool


@hookimpl
def register_agent_tools(register):
    """Register ``memory_search``."""
    register(tool.NAME, tool.DESCRIPTION, tool.PARAMETERS, tool.memory_search)
