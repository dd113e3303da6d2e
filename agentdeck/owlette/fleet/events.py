"""What follows from a command's changes: deployment targets follow their ``install_software``
commands; the activity log records commands (once the activity log exists)."""
from __future__ import annotations

from agentdeck.storage.models.owlette_fleet import Command


def command_queued(row: Command) -> None:
    """A command was queued."""
    # TODO: record in the activity log once agentdeck.owlette.activity lands


def command_reported(row: Command) -> None:
    """The agent reported on a command (called inside the report's transaction)."""
    if row.deployment_id:
        from agentdeck.owlette.fleet import deployments

        deployments.follow_command(row)
