"""The runs list reads what the published SDK sends: ``client: {name, version}`` in the manifest
and the run's status in the trace's ``session.status``."""
from __future__ import annotations

from tests.augur.world import API


def _manifest(run_id: str) -> dict:
    return {"schema_version": "0.6", "bundle_format": "augur-bundle", "run_id": run_id,
            "debug_session_id": f"ds_{run_id}", "client": {"name": "myagent", "version": "1.4.0"},
            "capture_mode": "full", "created_at": "2026-01-05T10:00:00Z", "trace": "trace.json",
            "step_count": 0, "paths": {"trace": "trace.json"}}


def _trace(run_id: str, status: str) -> dict:
    return {"session": {"schema_version": "0.6", "debug_session_id": f"ds_{run_id}", "run_id": run_id,
                        "client": {"name": "myagent", "version": "1.4.0"}, "capture_mode": "full",
                        "started_at": "2026-01-05T10:00:00Z", "status": status},
            "steps": []}


def _only_run(viewer) -> dict:
    runs = viewer.get(f"{API}/runs").json()["runs"]
    assert len(runs) == 1
    return runs[0]


def test_client_comes_from_the_manifests_client_object(augur):
    sdk, viewer = augur.workspace()
    assert sdk.post(f"{API}/runs", json=_manifest("run_abc")).status_code == 201
    run = _only_run(viewer)
    assert (run["client_name"], run["client_version"], run["capture_mode"]) == ("myagent", "1.4.0", "full")
    assert run["status"] is None and run["has_trace"] is False
    assert viewer.get(f"{API}/runs/run_abc/manifest.json").json() == _manifest("run_abc")


def test_status_comes_from_the_traces_session(augur):
    sdk, viewer = augur.workspace()
    # Close order as the SDK threads deliver it: the trace may come before the manifest.
    assert sdk.put(f"{API}/runs/run_abc/trace", json=_trace("run_abc", "running")).status_code == 200
    assert _only_run(viewer)["status"] == "running"
    assert sdk.put(f"{API}/runs/run_abc/trace", json=_trace("run_abc", "halted")).status_code == 200
    assert sdk.post(f"{API}/runs", json=_manifest("run_abc")).status_code == 200
    run = _only_run(viewer)
    assert (run["status"], run["client_name"], run["has_trace"]) == ("halted", "myagent", True)


def test_a_live_run_has_no_status_until_its_trace(augur):
    sdk, viewer = augur.workspace()
    assert sdk.put(f"{API}/runs/live/steps/0", json={"step_index": 0}).status_code == 200
    run = _only_run(viewer)
    assert (run["run_id"], run["status"], run["client_name"], run["client_version"]) == ("live", None, None, None)


def test_flat_fields_of_older_clients_are_still_read(augur):
    sdk, viewer = augur.workspace()
    sdk.post(f"{API}/runs", json={"run_id": "old", "client_name": "legacy", "client_version": "0.1",
                                  "status": "succeeded"})
    run = _only_run(viewer)
    assert (run["client_name"], run["client_version"], run["status"]) == ("legacy", "0.1", "succeeded")


def test_non_string_fields_are_not_shown(augur):
    sdk, viewer = augur.workspace()
    sdk.post(f"{API}/runs", json={"run_id": "odd", "client": {"name": 5, "version": ["1"]}})
    sdk.put(f"{API}/runs/odd/trace", json={"session": {"status": {"x": 1}}, "steps": []})
    run = _only_run(viewer)
    assert (run["client_name"], run["client_version"], run["status"]) == (None, None, None)
