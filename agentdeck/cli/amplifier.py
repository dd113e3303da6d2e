"""``agentdeck amplifier``: operator commands for the Amplifier surface's applications.

With ``AUTH_REQUIRED=true`` the API itself needs a key, so the first application (and any admin
application, the only kind allowed to run the full ``/smoke-tests``) is created here.
"""
from __future__ import annotations

import click

from agentdeck.errors import DomainError

cli_group = click.Group("amplifier", help="Amplifier App API: applications and their keys.")


@cli_group.group()
def applications():
    """Registered applications (their API keys go in the X-API-Key header)."""


def _open():
    from agentdeck.cli import open_database

    open_database()
    from agentdeck.amplifier import applications as domain

    return domain


@applications.command("create")
@click.argument("app_id")
@click.option("--name", "app_name", default=None, help="display name (default: the id)")
@click.option("--admin", is_flag=True, help="may run the full /smoke-tests when AUTH_REQUIRED=true")
def create_application(app_id, app_name, admin):
    """Register APP_ID and print its API key (shown only this once)."""
    domain = _open()
    try:
        app, api_key = domain.register_application(app_id, app_name or app_id, is_admin=admin)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"created {app.app_id}{' (admin)' if admin else ''}")
    click.echo(f"api key: {api_key}")


@applications.command("list")
def list_applications():
    """List applications: id, active or not, admin or not, name."""
    for app in _open().list_applications():
        flags = ("active" if app.is_active else "inactive") + (", admin" if app.is_admin else "")
        click.echo(f"{app.app_id}  [{flags}]  {app.app_name}")


@applications.command("set")
@click.argument("app_id")
@click.option("--admin/--no-admin", default=None, help="grant or withdraw admin")
@click.option("--active/--inactive", default=None, help="allow or refuse its key")
def set_application(app_id, admin, active):
    """Change an application's admin or active flag."""
    try:
        app = _open().set_flags(app_id, is_active=active, is_admin=admin)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{app.app_id}: {'active' if app.is_active else 'inactive'}, "
               f"{'admin' if app.is_admin else 'not admin'}")


@applications.command("regenerate-key")
@click.argument("app_id")
def regenerate_key(app_id):
    """Give APP_ID a new key (the old one stops working) and print it."""
    try:
        _, api_key = _open().regenerate_key(app_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"api key: {api_key}")
