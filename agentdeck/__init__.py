"""agentdeck: one self-hosted server speaking five agent-platform HTTP APIs on one shared core.

Plugin authors import the hook marker from here::

    from agentdeck import hookimpl

    @hookimpl
    def register_alert_channels(register):
        register(MyChannel)
"""
import pluggy

__version__ = "0.1.0"

PROJECT_NAME = "agentdeck"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = ["__version__", "hookimpl", "hookspec", "PROJECT_NAME"]
