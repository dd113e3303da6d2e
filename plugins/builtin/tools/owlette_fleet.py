"""owlette cortex's fleet tools (see ``agentdeck.owlette.cortex.tools``)."""
from __future__ import annotations

from agentdeck import hookimpl


@hookimpl
def register_agent_tools(register):
    """Register the ``owlette_*`` fleet tools."""
    from agentdeck.owlette.cortex import tools

    tools.register(register)
