"""``agentdeck agtos``: the operator's agtOS commands (workflow definitions)."""
from __future__ import annotations

from pathlib import Path

import click

from agentdeck.cli import open_database
from agentdeck.errors import DomainError

cli_group = click.Group("agtos", help="agtOS: add, remove and list workflow definitions.")


@cli_group.command("workflow-add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def workflow_add(file: Path):
    """Add (or replace) the workflow defined in the YAML FILE."""
    from agentdeck.agtos.workflows import add_workflow

    open_database()
    try:
        workflow, created = add_workflow(file.read_text())
    except DomainError as exc:
        raise click.ClickException(f"{file}: {exc.message}") from None
    click.echo(f"{'added' if created else 'replaced'} workflow {workflow.id} ({len(workflow.steps)} steps)")


@cli_group.command("workflow-remove")
@click.argument("workflow_id")
def workflow_remove(workflow_id: str):
    """Remove the workflow WORKFLOW_ID (its executions stay recorded)."""
    from agentdeck.agtos.workflows import remove_workflow

    open_database()
    try:
        remove_workflow(workflow_id)
    except DomainError as exc:
        raise click.ClickException(f"{exc.message}: {workflow_id}") from None
    click.echo(f"removed workflow {workflow_id}")


@cli_group.command("workflow-list")
def workflow_list():
    """List the workflows with their steps."""
    from agentdeck.agtos.workflows import list_workflows

    open_database()
    for workflow in list_workflows()["workflows"]:
        click.echo(f"{workflow['id']}  {workflow['name']}  ({workflow['stepCount']} steps)")
