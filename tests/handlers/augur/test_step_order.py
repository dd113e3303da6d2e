"""Re-PUTs of one step arrive in any order (the SDK sends each call on its own thread): the
viewer sees the newest version, never an older one that arrived later."""
from __future__ import annotations

import threading

from tests.augur.world import API

RUNNING = {"step_id": "run_abc/step/0003", "step_index": 3, "step_type": "click", "status": "running",
           "started_at": "2026-01-05T10:00:01Z"}
SUCCEEDED = {**RUNNING, "status": "succeeded", "ended_at": "2026-01-05T10:00:02Z", "duration_ms": 1000}
JUDGED = {**SUCCEEDED, "judge_decisions": [{"judge_id": "v", "judge_type": "rule", "verdict": {"status": "pass"}}]}
COSTED = {**JUDGED, "costs": {"total_usd": 0.01, "tokens_in": 120}}


def _put(sdk, step, index=3):
    response = sdk.put(f"{API}/runs/run_abc/steps/{index}", json=step)
    assert response.status_code == 200, response.text
    return response.json()


def _read(viewer, name="0003"):
    return viewer.get(f"{API}/runs/run_abc/steps/{name}.json").json()


def test_an_older_version_arriving_later_is_not_kept(augur):
    sdk, viewer = augur.workspace()
    assert _put(sdk, COSTED) == {"run_id": "run_abc", "stored": "steps/0003.json"}
    for older in (JUDGED, SUCCEEDED, RUNNING):
        assert _put(sdk, older) == {"run_id": "run_abc", "stored": "steps/0003.json", "superseded": True}
        assert _read(viewer) == COSTED


def test_newer_versions_replace_in_order(augur):
    sdk, viewer = augur.workspace()
    for version in (RUNNING, SUCCEEDED, JUDGED, COSTED):
        assert _put(sdk, version).get("superseded") is None
        assert _read(viewer) == version


def test_the_canonical_step_wins_over_an_iteration_sent_beside_it(augur):
    # record_step_iteration() PUTs the iteration and then the canonical step with its bumped
    # step_iterations, at the same index; the bundle keeps the canonical one.
    sdk, viewer = augur.workspace()
    canonical = {**SUCCEEDED, "step_iterations": 2}
    iteration = {**SUCCEEDED, "step_id": "run_abc/step/0003/it1", "intent": "retry the click",
                 "action": {"type": "click", "params": {"x": 1, "y": 2}}}
    _put(sdk, canonical)
    assert _put(sdk, iteration).get("superseded") is True
    assert _read(viewer) == canonical


def test_versions_that_say_as_much_follow_arrival_order(augur):
    sdk, viewer = augur.workspace()
    _put(sdk, {**SUCCEEDED, "intent": "first"})
    assert _put(sdk, {**SUCCEEDED, "intent": "again"}).get("superseded") is None
    assert _read(viewer)["intent"] == "again"


def test_concurrent_versions_leave_the_newest(augur):
    sdk, viewer = augur.workspace()
    versions = [RUNNING, SUCCEEDED, JUDGED, COSTED] * 5
    errors = []

    def send(step):
        try:
            _put(sdk, step)
        except AssertionError as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(v,)) for v in reversed(versions)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert _read(viewer) == COSTED
    assert viewer.get(f"{API}/runs/run_abc/trace.json").json()["steps"] == [COSTED]


def test_each_step_index_is_ordered_on_its_own(augur):
    sdk, viewer = augur.workspace()
    _put(sdk, COSTED, index=3)
    assert _put(sdk, {**RUNNING, "step_index": 4}, index=4).get("superseded") is None
    assert _read(viewer, "0004")["status"] == "running"
