"""Command types: the spec lists the ones agentdeck queues (prose, not an enum: the set grows
with the agent), and any other is a 400 naming them."""
from __future__ import annotations

import re

from tests.handlers.owlette.conftest import ORIGIN, sign_in

O = {"Origin": ORIGIN}


def test_the_spec_lists_every_command_type_the_server_queues(settings):
    from agentdeck.owlette.fleet.commands import COMMAND_TYPES
    from agentdeck.specs import load_spec

    schema = load_spec("owlette.yaml", settings)["components"]["schemas"]["CommandSend"]
    assert re.findall(r"`(\w+)`", schema["properties"]["command"]["description"]) == list(COMMAND_TYPES)


def test_an_unknown_command_is_refused_naming_the_known_ones(owlette, client):
    owlette.site("nyc-office", owner=owlette.user("owner@example.com"))
    sign_in(client, "owner@example.com")
    refused = client.post("/owlette/api/admin/commands/send", headers=O,
                          json={"siteId": "nyc-office", "machineId": "DESKTOP-ABC123", "command": "format_disk"})
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("Unknown command 'format_disk'; expected one of: restart_process,")
