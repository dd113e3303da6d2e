"""A process's launch mode: the schedule's shape is the spec's (days distinct and named, at least
one range), refused in owlette's error shape before any machine is looked up."""
from __future__ import annotations

import pytest

from tests.handlers.owlette.conftest import ORIGIN, sign_in

O = {"Origin": ORIGIN}


@pytest.fixture
def owner(owlette, client):
    owlette.site("nyc-office", owner=owlette.user("owner@example.com"))
    sign_in(client, "owner@example.com")


def _launch_mode(client, **schedule):
    return client.patch("/owlette/api/admin/processes/proc_abc123/launch-mode", headers=O,
                        json={"siteId": "nyc-office", "machineId": "DESKTOP-ABC123", "mode": "scheduled",
                              "schedules": [{"startTime": "08:00", "endTime": "18:00", **schedule}]})


@pytest.mark.parametrize("days, problem", [([], "should be non-empty"), (["mon", "mon"], "non-unique"),
                                           (["monday"], "is not one of")])
def test_schedule_days_must_be_distinct_day_names(owner, client, days, problem):
    refused = _launch_mode(client, days=days)
    assert refused.status_code == 400 and problem in refused.json()["error"]
    assert list(refused.json()) == ["error"]


def test_a_schedule_with_an_empty_range_list_is_refused(owner, client):
    assert _launch_mode(client, days=["mon"], ranges=[]).status_code == 400


def test_a_valid_schedule_reaches_the_process_lookup(owner, client):
    # Nothing is enrolled: the request passed the schema and the domain looked the process up.
    missing = _launch_mode(client, days=["fri", "mon"])
    assert missing.status_code == 404 and missing.json() == {"error": "Process not found"}
