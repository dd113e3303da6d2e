"""``agentdeck augmentos``: bootstrap the app store and users, read error reports."""
from __future__ import annotations

import json

import click

from agentdeck.cli import open_database

cli_group = click.Group("augmentos", help="AugmentOS Cloud: apps, user tokens, error reports.")


@cli_group.command("app-create")
@click.option("--package", "package_name", required=True, help="package name, e.g. com.example.myapp")
@click.option("--name", required=True)
@click.option("--description", default="")
@click.option("--public-url", default=None, help="the TPA server's base URL (webhooks go to <url>/webhook)")
@click.option("--logo-url", default=None)
@click.option("--webview-url", default=None)
@click.option("--version", "app_version", default="1.0.0")
@click.option("--tpa-type", default="standard", type=click.Choice(["standard", "background", "system_dashboard"]))
@click.option("--system-app", is_flag=True)
@click.option("--developer-profile", default=None, help='JSON, e.g. {"company": "...", "website": "..."}')
@click.option("--publish", is_flag=True, help="publish it in the store right away")
def app_create(package_name, name, description, public_url, logo_url, webview_url, app_version,
               tpa_type, system_app, developer_profile, publish):
    """Create an app and print its API key (shown once)."""
    from agentdeck.augmentos import apps

    open_database()
    profile = json.loads(developer_profile) if developer_profile else None
    app, api_key = apps.create_app(package_name, name, description=description, public_url=public_url,
                                   logo_url=logo_url, webview_url=webview_url, version=app_version,
                                   tpa_type=tpa_type, is_system_app=system_app, developer_profile=profile)
    if publish:
        apps.set_store_status(package_name, "PUBLISHED")
    click.echo(f"created {app.package_name} ({'PUBLISHED' if publish else 'DEVELOPMENT'})")
    click.echo(f"API key (shown once): {api_key}")


@cli_group.command("app-publish")
@click.argument("package_name")
@click.option("--status", default="PUBLISHED",
              type=click.Choice(["DEVELOPMENT", "SUBMITTED", "REJECTED", "PUBLISHED"]))
def app_publish(package_name, status):
    """Set an app's store status (PUBLISHED makes it public)."""
    from agentdeck.augmentos import apps

    open_database()
    apps.set_store_status(package_name, status)
    click.echo(f"{package_name}: {status}")


@cli_group.command("app-rotate-key")
@click.argument("package_name")
def app_rotate_key(package_name):
    """Give an app a new API key (the old one stops working) and print it once."""
    from agentdeck.augmentos import apps

    open_database()
    click.echo(f"API key (shown once): {apps.rotate_api_key(package_name)}")


@cli_group.command("app-list")
def app_list():
    """List every app with its store status."""
    from agentdeck.storage.models.augmentos import App

    open_database()
    for app in App.select().order_by(App.package_name):
        click.echo(f"{app.package_name}\t{app.app_store_status}\t{app.name}")


@cli_group.command("user-token")
@click.option("--user", "user_id", required=True, help="the user's id (an email, as upstream)")
def user_token(user_id):
    """Issue a core token for a glasses-client user (shown once)."""
    from agentdeck.augmentos.users import issue_core_token

    open_database()
    click.echo(f"core token for {user_id} (shown once): {issue_core_token(user_id)}")


@cli_group.command("error-reports")
@click.option("--limit", default=20, show_default=True)
def error_reports(limit):
    """Print the newest error reports as JSON lines."""
    from agentdeck.augmentos.error_reports import list_error_reports
    from agentdeck.timeutil import to_iso

    open_database()
    for report in list_error_reports(limit):
        click.echo(json.dumps({"id": report.id, "user": report.user_id,
                               "createdAt": to_iso(report.created_at), "report": report.report}))
