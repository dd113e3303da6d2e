"""``agentdeck augur``: tenants, users and DSNs (upstream's ``augur admin ...``), run export,
intervention commands for live runs."""
from __future__ import annotations

import json
from pathlib import Path

import click

from agentdeck.cli import open_database

cli_group = click.Group("augur", help="Augur: tenants, users, DSNs, run export, intervention commands.")


def _tenant(slug: str, create: bool):
    from agentdeck.augur import tenants

    if not create:
        return tenants.get_tenant(slug)
    tenant, created = tenants.ensure_tenant(slug)
    if created:
        click.echo(f"created tenant {tenant.slug} (model I/O capture off)", err=True)
    return tenant


def _run(action):
    """Run ``action``, turning a domain error into a CLI error with its message."""
    from agentdeck.errors import DomainError

    try:
        return action()
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


@cli_group.command("tenant-create")
@click.argument("slug")
@click.option("--name", default=None, help="display name (default: the slug)")
@click.option("--modelio-capture/--no-modelio-capture", default=False, show_default=True,
              help="accept model I/O records from this tenant's SDKs")
def tenant_create(slug, name, modelio_capture):
    """Create a tenant (a workspace; slug: a-z, 0-9, '-')."""
    from agentdeck.augur import tenants

    open_database()
    tenant = _run(lambda: tenants.create_tenant(slug, name, modelio_capture))
    click.echo(f"created tenant {tenant.slug} ({tenant.id})")


@cli_group.command("tenant-update")
@click.argument("slug")
@click.option("--modelio-capture", type=click.Choice(["on", "off"]), required=True,
              help="accept (on) or refuse with 403 (off) model I/O records")
def tenant_update(slug, modelio_capture):
    """Change a tenant's settings."""
    from agentdeck.augur import tenants

    open_database()
    tenant = _run(lambda: tenants.set_modelio_capture(slug, modelio_capture == "on"))
    click.echo(f"{tenant.slug}: model I/O capture {'on' if tenant.modelio_capture else 'off'}")


@cli_group.command("tenant-list")
def tenant_list():
    """List tenants with their run counts."""
    from agentdeck.augur import tenants

    open_database()
    for tenant in tenants.list_tenants():
        capture = "modelio on" if tenant["modelio_capture"] else "modelio off"
        click.echo(f"{tenant['slug']}  {tenant['id']}  runs={tenant['run_count']}  {capture}")


@cli_group.command("user-create")
@click.argument("email")
@click.option("--tenant", "slug", required=True, help="the user's home tenant (created if missing)")
@click.option("--admin", is_flag=True, help="may list tenants and impersonate them")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="AGENTDECK_AUGUR_PASSWORD", help="at least 8 characters (prompted when omitted)")
def user_create(email, slug, admin, password):
    """Create a viewer user who signs in with e-mail and password."""
    from agentdeck.augur import tenants

    open_database()
    tenant = _run(lambda: _tenant(slug, create=True))
    user = _run(lambda: tenants.create_user(email, password, tenant, is_admin=admin))
    click.echo(f"created {'admin ' if admin else ''}user {user.email} in tenant {tenant.slug}")


@cli_group.command("dsn-issue")
@click.option("--tenant", "slug", required=True, help="tenant slug (created if missing)")
@click.option("--label", default="default", show_default=True, help="a human name for this DSN")
@click.option("--json", "as_json", is_flag=True, help="print the new DSN as JSON")
def dsn_issue(slug, label, as_json):
    """Mint a DSN; the api key and DSN are printed once and cannot be shown again."""
    from agentdeck.augur import dsns

    open_database()
    tenant = _run(lambda: _tenant(slug, create=True))
    issued = _run(lambda: dsns.issue_dsn(tenant, label))
    if as_json:
        click.echo(json.dumps(issued, indent=2))
        return
    click.echo(f"DSN {issued['id']} ({issued['label']}) for tenant {tenant.slug}")
    click.echo(f"api key (shown once): {issued['api_key']}")
    click.echo(f"AUGUR_DSN={issued['dsn']}")


@cli_group.command("dsn-list")
@click.option("--tenant", "slug", required=True)
def dsn_list(slug):
    """List a tenant's DSNs (never their keys)."""
    from agentdeck.augur import dsns

    open_database()
    tenant = _run(lambda: _tenant(slug, create=False))
    for dsn in dsns.list_dsns(tenant.id):
        state = "active" if dsn["active"] else f"revoked {dsn['revoked_at']}"
        click.echo(f"{dsn['id']}  {dsn['key_prefix']}…  {dsn['label']}  {state}")


@cli_group.command("dsn-revoke")
@click.argument("dsn_id")
def dsn_revoke(dsn_id):
    """Revoke a DSN: ingest with its key is refused (403) from now on."""
    from agentdeck.augur import dsns

    open_database()
    revoked = _run(lambda: dsns.revoke_dsn(dsn_id))
    click.echo(f"revoked DSN {revoked['id']} ({revoked['label']})")


@cli_group.command("export")
@click.argument("run_id")
@click.option("--tenant", "slug", required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="archive path (default: ./<run_id>.tar.gz)")
def export(run_id, slug, output):
    """Write a run's bundle as one .tar.gz archive."""
    from agentdeck.augur.export import export_run

    open_database()
    tenant = _run(lambda: _tenant(slug, create=False))
    data = _run(lambda: export_run(tenant.id, run_id))
    output = output or Path(f"{run_id}.tar.gz")
    output.write_bytes(data)
    click.echo(f"wrote {output} ({len(data)} bytes)")


def _command_payload(command_type, text, x, y):
    if command_type == "inject_hint":
        return {"text": text} if text is not None else None
    if command_type == "override_action":
        return {"coordinates": {"x": x, "y": y}} if x is not None and y is not None else None
    if text is not None or x is not None or y is not None:
        raise click.UsageError(f"{command_type} takes no --text, --x or --y")
    return None


@cli_group.command("command-send")
@click.argument("run_id")
@click.argument("command_type", metavar="TYPE",
                type=click.Choice(["pause", "resume", "kill", "inject_hint", "override_action"]))
@click.option("--tenant", "slug", required=True)
@click.option("--text", default=None, help="inject_hint: the hint for the agent's next planner turn")
@click.option("--x", type=float, default=None, help="override_action: the x coordinate")
@click.option("--y", type=float, default=None, help="override_action: the y coordinate")
@click.option("--operator", default="cli", show_default=True, help="who is sending it (the SDK logs it)")
@click.option("--json", "as_json", is_flag=True, help="print the queued command as JSON")
def command_send(run_id, command_type, slug, text, x, y, operator, as_json):
    """Queue an intervention command for a live run; its SDK receives it on its next poll."""
    from agentdeck.augur.commands import queue_command

    payload = _command_payload(command_type, text, x, y)
    open_database()
    tenant = _run(lambda: _tenant(slug, create=False))
    queued = _run(lambda: queue_command(tenant.id, run_id, command_type, payload, operator))
    if as_json:
        click.echo(json.dumps(queued, indent=2))
        return
    click.echo(f"queued {queued['type']} for run {run_id} (command {queued['command_id']})")
