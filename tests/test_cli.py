"""The ``agentdeck plugins`` and ``agentdeck alerts`` commands, run as an operator runs them."""
from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

import agentdeck
from agentdeck.cli import main
from tests.plugins.builtin.channels.receiver import signed_receiver


@pytest.fixture
def run(settings):
    """Invoke ``agentdeck <args>``; closes the database the command opened afterwards."""
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, list(args))
    from agentdeck.storage.db import database

    if database.obj is not None and hasattr(database.obj, "close_all"):
        database.obj.close_all()


@pytest.fixture
def receiver():
    with signed_receiver() as running:
        yield running


def test_plugins_lists_builtins_with_their_hooks(run):
    result = run("plugins")
    assert result.exit_code == 0
    assert "channels.webhook  built-in  hooks: register_alert_channels" in result.output.splitlines()


def test_plugins_json_gives_name_version_hooks(run):
    plugins = {p["name"]: p for p in json.loads(run("plugins", "--json").output)}
    assert plugins["channels.log"] == {"name": "channels.log", "version": agentdeck.__version__,
                                       "hooks": ["register_alert_channels"], "builtin": True}


def test_plugins_leaves_out_disabled_ones(run, monkeypatch):
    monkeypatch.setenv("AGENTDECK_DISABLED_PLUGINS", "channels.log")
    from agentdeck.plugins.manager import reset_plugin_manager
    from agentdeck.settings import reset_settings

    reset_settings()
    reset_plugin_manager()
    output = run("plugins").output
    assert "channels.log" not in output and "channels.webhook" in output


def test_alerts_channels_lists_channels_and_their_config(run):
    result = run("alerts", "channels")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("webhook  POST the alert as JSON") for line in lines)
    assert "    url (str, required): http(s) URL to POST to" in lines
    assert "    max_attempts (int, default 5): tries before the delivery is marked failed (1-20)" in lines
    assert any(line.startswith("    secret (str, secret)") for line in lines)


def test_alerts_channels_json(run):
    channels = {c["name"]: c for c in json.loads(run("alerts", "channels", "--json").output)}
    assert channels["log"]["config"] == []
    url = channels["webhook"]["config"][0]
    assert (url["name"], url["type"], url["required"]) == ("url", "str", True)


def test_alerts_send_through_the_log_channel(run, caplog):
    caplog.set_level(logging.INFO, logger="agentdeck.alerts")
    result = run("alerts", "send", "--channel", "log", "--title", "Test alert", "--message", "hello",
                 "--severity", "warning", "--detail", "host=node-1")

    assert (result.exit_code, result.output) == (0, "log: delivered\n")
    [record] = [r for r in caplog.records if r.name == "agentdeck.alerts"]
    assert record.alert["title"] == "Test alert"
    assert record.alert["details"] == {"host": "node-1"}
    assert record.alert["source"] == "cli"


def test_alerts_send_through_a_webhook_then_read_the_delivery_log(run, receiver):
    config = json.dumps({"url": receiver.url, "secret": "s3cret"})
    result = run("alerts", "send", "--channel", "webhook", "--config", config, "--title", "Test alert")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("webhook: delivered (delivery ")
    assert receiver.signature_ok(receiver.received[0])

    log = run("alerts", "deliveries")
    assert log.exit_code == 0
    [line] = log.output.splitlines()
    assert "delivered  attempts 1" in line
    [entry] = json.loads(run("alerts", "deliveries", "--json").output)
    assert (entry["status"], entry["attempts"], entry["status_code"]) == ("delivered", 1, 200)


def test_alerts_send_exits_1_when_not_delivered_and_says_a_retry_is_due(run, receiver):
    receiver.script = [500]
    config = json.dumps({"url": receiver.url, "secret": "s3cret"})
    result = run("alerts", "send", "--channel", "webhook", "--config", config, "--title", "Test alert")

    assert result.exit_code == 1
    assert "webhook: pending" in result.output and ": HTTP 500" in result.output
    assert "a retry is scheduled" in result.output
    assert "pending    attempts 1  HTTP 500" in run("alerts", "deliveries").output


def test_alerts_deliveries_when_there_are_none(run):
    assert run("alerts", "deliveries").output == "no deliveries\n"


@pytest.mark.parametrize("args, message", [
    (["--channel", "pager"], "unknown alert channel 'pager'; installed: "),
    (["--channel", "webhook"], "webhook: 'url' is required"),
    (["--channel", "webhook", "--config", "{not json"], "Invalid value for '--config': not JSON"),
    (["--channel", "webhook", "--config", "[1]"], "must be a JSON object"),
    (["--channel", "log", "--detail", "novalue"], "'novalue' is not KEY=VALUE"),
    (["--channel", "log", "--severity", "fatal"], "'fatal' is not one of 'info', 'warning', 'critical'"),
])
def test_alerts_send_refuses_mistakes_with_usage_errors(run, args, message):
    result = run("alerts", "send", "--title", "t", *args)
    assert result.exit_code == 2
    assert message in result.output
