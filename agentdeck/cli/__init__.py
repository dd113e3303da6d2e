"""The ``agentdeck`` command: serve, database upgrades, plugins, and per-surface admin commands.

Each module in this package that defines ``cli_group`` (a click group) is added as a sub-command,
so a surface brings its operator commands without editing this file.
"""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import shutil
from pathlib import Path

import click

from agentdeck import __version__
from agentdeck.settings import Settings, get_settings


def _settings_help() -> str:
    lines = ["\b", "Settings (environment variables):"]
    for env, help_text, default in Settings.documented():
        shown = ",".join(default) if isinstance(default, tuple) else default
        lines.append(f"  {env}: {help_text} (default: {shown!s})" if shown not in ("", ()) else f"  {env}: {help_text}")
    return "\n".join(lines)


@click.group(epilog=_settings_help(), context_settings={"max_content_width": 110})
@click.version_option(__version__, prog_name="agentdeck")
def main():
    """agentdeck: one server speaking AugmentOS Cloud, Augur, agtOS, Amplifier and owlette APIs."""


@main.command()
@click.option("--host", default=None, help="bind address (default AGENTDECK_HOST or 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default AGENTDECK_PORT or 8000)")
@click.option("--workers", default=1, show_default=True, type=int,
              help="worker processes; more than 1 runs gunicorn with uvicorn workers")
@click.option("--reload", is_flag=True, help="development: restart on code changes (uvicorn)")
def serve(host, port, workers, reload):
    """Run the server (uvicorn; gunicorn with ASGI workers when --workers > 1)."""
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    # What is served where, for code that has no request at hand (and for every worker).
    os.environ["AGENTDECK_HOST"], os.environ["AGENTDECK_PORT"] = host, str(port)
    from agentdeck.app import prepare_storage

    prepare_storage(settings)  # migrate once, before any worker starts
    from agentdeck import serving

    if workers > 1:
        _aggregate_metrics(settings)
        serving.run_gunicorn(host, port, workers)
    else:
        serving.run_uvicorn(host, port, reload=reload, log_level=settings.log_level.lower())


def _aggregate_metrics(settings: Settings) -> None:
    """Prometheus metrics of every worker, gathered in one directory (fresh on each start)."""
    metrics_dir = Path(settings.data_dir).resolve() / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)


@main.group()
def db():
    """Database commands."""


@db.command("upgrade")
def db_upgrade():
    """Apply pending migrations to the configured database."""
    from agentdeck.storage.db import init_db
    from agentdeck.storage.migrations import upgrade_database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    init_db(settings.resolved_database_url)
    applied = upgrade_database()
    for migration in applied:
        click.echo(f"applied {migration.version:04d}_{migration.name}")
    click.echo("database is up to date" if not applied else f"{len(applied)} migration(s) applied")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def plugins(as_json):
    """List installed plugins and the hooks each implements."""
    from dataclasses import asdict

    from agentdeck.plugins.manager import get_plugin_manager

    found = get_plugin_manager().plugins()
    if as_json:
        click.echo(json.dumps([asdict(p) for p in found], indent=2))
        return
    for plugin in found:
        origin = "built-in" if plugin.builtin else (plugin.version or "")
        click.echo(f"{plugin.name}  {origin}  hooks: {', '.join(plugin.hooks)}")


def open_database() -> None:
    """For admin commands: open the configured database, migrated."""
    from agentdeck.app import prepare_storage

    prepare_storage(get_settings())


def _register_surface_groups() -> None:
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        group = getattr(module, "cli_group", None)
        if group is not None:
            main.add_command(group)


_register_surface_groups()
