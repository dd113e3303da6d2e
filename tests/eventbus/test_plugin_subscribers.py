"""Subscribers a plugin registers through ``register_event_subscribers`` run in the server."""
from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from agentdeck import eventbus, hookimpl
from agentdeck.plugins.manager import DuplicateRegistration, get_plugin_manager


class AuditPlugin:
    def __init__(self):
        self.seen = []

    @hookimpl
    def register_event_subscribers(self, register):
        register("briefing.*", lambda event: self.seen.append((event.topic, event.payload)), name="audit")


def test_a_plugins_subscriber_gets_events_once_the_server_runs(app):
    plugin = AuditPlugin()
    get_plugin_manager().register(plugin, name="audit-plugin")
    with TestClient(app):
        assert "audit" in eventbus.local_subscriptions()
        eventbus.publish("briefing.morning", {"workflowId": "morning"})
        eventbus.publish("unrelated", {})
        deadline = time.monotonic() + 5
        while not plugin.seen and time.monotonic() < deadline:
            time.sleep(0.05)
    assert plugin.seen == [("briefing.morning", {"workflowId": "morning"})]
    eventbus.unsubscribe("audit")


def test_two_subscribers_of_one_name_are_refused(settings):
    class Twice:
        @hookimpl
        def register_event_subscribers(self, register):
            register("*", print, name="same")
            register("*", print, name="same")

    manager = get_plugin_manager()
    manager.register(Twice(), name="twice")
    with pytest.raises(DuplicateRegistration):
        manager.event_subscribers()
