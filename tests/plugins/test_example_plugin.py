"""The out-of-tree example plugin in ``examples/``, installed as a user would install it.

CI installs it before the tests (``pip install --no-deps ./examples/agentdeck-example-plugin``);
when it is missing or older than its source, the module fixture installs it with pip. The tests
skip only when that installation fails, saying why.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentdeck.alerts import Alert, ChannelConfigError, UnknownChannel, dispatch_alert
from agentdeck.cli import main
from agentdeck.plugins.manager import get_plugin_manager, reset_plugin_manager
from agentdeck.settings import reset_settings

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "agentdeck-example-plugin"
DIST_NAME = "agentdeck-example-plugin"
MODULE_FILE = "agentdeck_example_plugin/__init__.py"
EXPECTED_HOOKS = ["register_alert_channels", "register_health_checks"]


def _installed_is_current() -> bool:
    """Installed, with the source's version and module (a stale install would test old code)."""
    try:
        dist = importlib.metadata.distribution(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        return False
    source_version = tomllib.loads((EXAMPLE_DIR / "pyproject.toml").read_text())["project"]["version"]
    installed = Path(dist.locate_file(MODULE_FILE))
    return (dist.version == source_version and installed.is_file()
            and installed.read_bytes() == (EXAMPLE_DIR / MODULE_FILE).read_bytes())


def _pip_install() -> str | None:
    """Install the example; None when it worked, else the reason. Offline first, then isolated."""
    reasons = []
    for extra in (["--no-build-isolation"], []):
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
                   *extra, str(EXAMPLE_DIR)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if result.returncode == 0:
            return None
        reasons.append(f"{' '.join(command[3:])}: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    return "; ".join(reasons)


@pytest.fixture(scope="module")
def example_installed():
    """The example plugin's installed version, installing it first when needed."""
    if not _installed_is_current():
        reason = _pip_install()
        if reason:
            pytest.skip(f"could not install the example plugin: {reason}")
        importlib.invalidate_caches()
    return importlib.metadata.version(DIST_NAME)


@pytest.fixture
def example(example_installed, settings):
    """The installed version, with settings (and so the plugin manager) fresh for this test."""
    return example_installed


def test_the_manager_loads_it_from_its_entry_point(example):
    info = next(p for p in get_plugin_manager().plugins() if p.name == "example")
    assert (info.version, info.builtin, info.hooks) == (example, False, EXPECTED_HOOKS)
    assert example == "0.1.0"


def test_get_plugins_lists_it_with_its_version(example, client):
    plugins = {p["name"]: p for p in client.get("/plugins").json()["plugins"]}
    assert plugins["example"] == {"name": "example", "version": "0.1.0", "builtin": False,
                                  "hooks": EXPECTED_HOOKS}


def test_its_health_check_shows_in_healthz(example, client):
    checks = client.get("/healthz").json()["checks"]
    assert checks["example-plugin"] == {"ok": True, "detail": "agentdeck-example-plugin 0.1.0 loaded"}


def test_its_channel_appends_alerts_to_a_file(example, tmp_path):
    target = tmp_path / "alerts.jsonl"
    first = Alert(title="Disk almost full", message="92% used", severity="warning")
    second = Alert(title="Disk full", message="100% used", severity="critical")

    outcomes = [dispatch_alert("example-file", {"path": str(target)}, a) for a in (first, second)]

    assert all(o.delivered for o in outcomes)
    lines = target.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [first.to_dict(), second.to_dict()]


def test_its_channel_checks_its_config(example, tmp_path):
    with pytest.raises(ChannelConfigError, match="must be an absolute path"):
        dispatch_alert("example-file", {"path": "alerts.jsonl"}, Alert(title="t", message="m"))
    with pytest.raises(ChannelConfigError, match="cannot write in"):
        dispatch_alert("example-file", {"path": str(tmp_path / "missing" / "a.jsonl")}, Alert(title="t", message="m"))


def test_the_cli_lists_it_and_its_channel(example):
    runner = CliRunner()
    listed = runner.invoke(main, ["plugins"])
    assert "example  0.1.0  hooks: register_alert_channels, register_health_checks" in listed.output

    channels = runner.invoke(main, ["alerts", "channels"])
    assert "example-file  append each alert as one JSON line to a file" in channels.output
    assert "path (str, required): absolute path of the file" in channels.output


def test_agentdeck_disabled_plugins_blocks_it(example, monkeypatch):
    monkeypatch.setenv("AGENTDECK_DISABLED_PLUGINS", "example")
    reset_settings()
    reset_plugin_manager()

    assert "example" not in {p.name for p in get_plugin_manager().plugins()}
    with pytest.raises(UnknownChannel):
        dispatch_alert("example-file", {"path": "/tmp/x"}, Alert(title="t", message="m"))
