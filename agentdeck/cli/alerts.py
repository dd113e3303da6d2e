"""``agentdeck alerts``: list alert channels, send a test alert, read the webhook delivery log."""
from __future__ import annotations

import json
import logging
from dataclasses import asdict

import click

from agentdeck import deliveries
from agentdeck.alerts import SEVERITIES, Alert, AlertError, available_channels, dispatch_alert
from agentdeck.cli import open_database
from agentdeck.plugins.builtin.channels.webhook import DELIVERY_SOURCE
from agentdeck.settings import get_settings

cli_group = click.Group("alerts", help="Alert channels: list them, send a test alert, read the delivery log.")


@cli_group.command("channels")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def list_channels(as_json):
    """List installed alert channels and the configuration each takes."""
    channels = available_channels()
    if as_json:
        click.echo(json.dumps([_describe(cls) for cls in channels.values()], indent=2, default=str))
        return
    for name, cls in channels.items():
        click.echo(f"{name}  {cls.description}")
        for spec in cls.config_fields:
            flags = ["required"] if spec.required else []
            flags += [f"default {spec.default}"] if spec.default is not None else []
            flags += ["secret"] if spec.secret else []
            click.echo(f"    {spec.name} ({', '.join([spec.type.__name__, *flags])}): {spec.help}")


def _describe(cls) -> dict:
    fields = [{**asdict(spec), "type": spec.type.__name__} for spec in cls.config_fields]
    return {"name": cls.name, "description": cls.description, "config": fields}


def _parse_config(ctx, param, value):
    try:
        config = json.loads(value)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise click.BadParameter("must be a JSON object")
    return config


def _parse_details(ctx, param, values):
    details = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE")
        details[key] = value
    return details


@cli_group.command("send")
@click.option("--channel", required=True, help="channel name (see `agentdeck alerts channels`)")
@click.option("--config", default="{}", callback=_parse_config, show_default=True,
              help='channel configuration as a JSON object, e.g. \'{"url": "https://…"}\'')
@click.option("--title", required=True, help="alert title")
@click.option("--message", default="", help="alert message")
@click.option("--severity", type=click.Choice(SEVERITIES), default="info", show_default=True)
@click.option("--source", default="cli", show_default=True, help="what raised the alert")
@click.option("--detail", "details", multiple=True, callback=_parse_details, metavar="KEY=VALUE",
              help="a detail to attach (repeatable)")
def send_alert(channel, config, title, message, severity, source, details):
    """Send one alert through a channel, to test it. Exits 1 unless it was delivered."""
    open_database()  # the webhook channel records its delivery
    # Without a handler the log channel's INFO line would vanish, and testing it is the point.
    logging.basicConfig(level=get_settings().log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        alert = Alert(title=title, message=message, severity=severity, source=source, details=details)
        outcome = dispatch_alert(channel, config, alert)
    except AlertError as exc:
        raise click.UsageError(exc.message) from exc
    line = f"{outcome.channel}: {outcome.status}"
    if outcome.delivery_id:
        line += f" (delivery {outcome.delivery_id}, {outcome.attempts} attempt(s))"
    if outcome.detail:
        line += f": {outcome.detail}"
    click.echo(line)
    if outcome.status == "pending":
        click.echo("a retry is scheduled; the server's maintenance sweep makes it")
    if not outcome.delivered:
        raise SystemExit(1)


@cli_group.command("deliveries")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--all", "every_source", is_flag=True, help="every outbound delivery, not only alert webhooks")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def list_alert_deliveries(limit, every_source, as_json):
    """The delivery log of alert webhooks, newest first: status, attempts, last error."""
    open_database()
    found = deliveries.list_deliveries(None if every_source else DELIVERY_SOURCE, limit=limit)
    if as_json:
        click.echo(json.dumps([asdict(d) for d in found], indent=2))
        return
    if not found:
        click.echo("no deliveries")
    for d in found:
        last = f"HTTP {d.status_code}" if d.status_code else ""
        click.echo(f"{d.delivery_id}  {d.status:<9}  attempts {d.attempts}  {d.error or last}".rstrip())
