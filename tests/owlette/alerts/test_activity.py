"""The activity log: entries recorded by any part of owlette, read back newest first with filters."""
from __future__ import annotations

from datetime import timedelta

import pytest

from agentdeck.errors import InvalidInput
from agentdeck.timeutil import utcnow


def test_record_and_filter(owlette):
    from agentdeck.owlette import activity

    owlette.site("nyc")
    owlette.site("lon")
    activity.record("nyc", "command_sent", machine_id="m1", details={"type": "restart_process"})
    activity.record("nyc", "process_crash", level="error", machine_id="m2",
                    details={"processName": "TouchDesigner"})
    activity.record("lon", "process_crash", level="error", machine_id="m1")

    entries = activity.list_entries("nyc")
    assert [e["action"] for e in entries] == ["process_crash", "command_sent"]
    assert entries[0]["processName"] == "TouchDesigner"
    assert entries[0]["timestamp"].endswith("Z")
    assert [e["machineId"] for e in activity.list_entries("nyc", level="error")] == ["m2"]
    assert [e["action"] for e in activity.list_entries("nyc", machine_id="m1")] == ["command_sent"]
    assert activity.list_entries("nyc", action="process_crash", limit=1)[0]["machineId"] == "m2"
    assert activity.list_entries("nyc", since=utcnow() + timedelta(minutes=1)) == []
    with pytest.raises(InvalidInput):
        activity.list_entries("nyc", limit=201)
    with pytest.raises(ValueError):
        activity.record("nyc", "x", level="loud")
