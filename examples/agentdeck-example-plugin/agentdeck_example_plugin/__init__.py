"""An example agentdeck plugin: the ``example-file`` alert channel and the ``example-plugin``
health check.

agentdeck finds this module through the entry point in group ``agentdeck`` declared in
``pyproject.toml`` and calls the functions below marked ``@hookimpl``.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from agentdeck import hookimpl
from agentdeck.alerts import Alert, AlertChannel, AlertOutcome, ChannelConfigError, ConfigField

__version__ = "0.1.0"

# Appends from several threads of one process must not interleave within a line.
_append_lock = threading.Lock()


class FileChannel(AlertChannel):
    """Append each alert as one JSON line (``Alert.to_dict()``) to the file ``path``."""

    name = "example-file"
    description = "append each alert as one JSON line to a file (example plugin)"
    config_fields = (
        ConfigField("path", str, required=True, help="absolute path of the file; created when missing"),
    )

    def check_config(self, config: dict) -> None:
        """The path must be absolute, in a directory that exists and can be written to."""
        path = Path(config["path"])
        if not path.is_absolute():
            raise ChannelConfigError("example-file: 'path' must be an absolute path")
        if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
            raise ChannelConfigError(f"example-file: cannot write in {str(path.parent)!r}")

    def send(self, alert: Alert, config: dict) -> AlertOutcome:
        """Append the alert; delivered once the line is written."""
        line = json.dumps(alert.to_dict(), sort_keys=True) + "\n"
        with _append_lock, open(config["path"], "a", encoding="utf-8") as fh:
            fh.write(line)
        return AlertOutcome(self.name, "delivered")


def check_plugin() -> tuple[bool, str]:
    """The health check: reports that the plugin is loaded, and its version."""
    return True, f"agentdeck-example-plugin {__version__} loaded"


@hookimpl
def register_alert_channels(register):
    """Supply the ``example-file`` channel."""
    register(FileChannel)


@hookimpl
def register_health_checks(register):
    """Supply the ``example-plugin`` health check."""
    register("example-plugin", check_plugin)
