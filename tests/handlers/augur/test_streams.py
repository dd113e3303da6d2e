"""The streams the published SDK sends beyond the reference (costs, reasoning, outcomes, eval
candidates, side effects, judge decisions): stored with the run, read back by the viewer as the
SDK's bundle lays them out, exported, and kept to their tenant."""
from __future__ import annotations

import io
import json
import tarfile

from tests.augur.world import API

COSTS = {"total_usd": 0.42, "model_usd": 0.4, "tokens_in": 12000, "tokens_out": 800}
REASONING = [{"ts": "2026-01-05T10:00:03Z", "step_index": 3, "format": "text", "text": "Submit is visible"},
             {"ts": "2026-01-05T10:00:05Z", "step_index": 4, "format": "text", "text": "done ✓"}]
OUTCOME = {"scope": "run", "verdict": {"status": "succeeded"}, "finalized_at": "2026-01-05T10:01:00Z"}
CANDIDATE = {"step_index": 3, "reason": "verifier disagreed", "tagged_at": "2026-01-05T10:00:04Z"}
DECLARED = {"side_effect_id": "se_1a2b3c4d5e6f7a8b", "step_index": 3, "resource": "email", "action": "send",
            "status": "declared", "declared_at": "2026-01-05T10:00:04Z"}
COMMITTED = {**DECLARED, "status": "committed", "committed_at": "2026-01-05T10:00:05Z"}
JUDGE = {"judge_id": "verifier", "judge_type": "rule", "verdict": {"status": "pass"},
         "judged_at": "2026-01-05T10:00:04Z", "step_index": 3}
SIDE_EFFECT_FILE = "side_effects/0003-se_1a2b3c4d5e6f7a8b.json"


def _send_all(sdk, run_id="run_abc"):
    calls = [("put", "costs", {"total_usd": 0.1}, "costs.json"), ("put", "costs", COSTS, "costs.json"),
             *[("post", "reasoning", r, "events/reasoning.jsonl") for r in REASONING],
             ("post", "outcomes", OUTCOME, "outcomes.json"),
             ("post", "eval-candidates", CANDIDATE, "eval_candidates.json"),
             ("post", "side-effects", DECLARED, SIDE_EFFECT_FILE),
             ("post", "side-effects", COMMITTED, SIDE_EFFECT_FILE),
             ("post", "steps/3/judge-decisions", JUDGE, "judge_decisions/0003.jsonl")]
    for method, path, body, stored in calls:
        response = getattr(sdk, method)(f"{API}/runs/{run_id}/{path}", json=body)
        assert response.status_code == 200, (path, response.text)
        assert response.json() == {"run_id": run_id, "stored": stored}, path


def _jsonl(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/jsonl")
    return [json.loads(line) for line in response.text.splitlines()]


def test_streams_open_the_run_and_read_back_as_the_bundle_has_them(augur):
    sdk, viewer = augur.workspace()
    _send_all(sdk)
    assert [r["run_id"] for r in viewer.get(f"{API}/runs").json()["runs"]] == ["run_abc"]
    run = f"{API}/runs/run_abc"
    assert viewer.get(f"{run}/costs.json").json() == COSTS
    assert _jsonl(viewer.get(f"{run}/events/reasoning.jsonl")) == REASONING
    assert viewer.get(f"{run}/outcomes.json").json() == {"outcomes": [OUTCOME]}
    assert viewer.get(f"{run}/eval_candidates.json").json() == {"candidates": [CANDIDATE]}
    assert viewer.get(f"{run}/{SIDE_EFFECT_FILE}").json() == COMMITTED
    assert _jsonl(viewer.get(f"{run}/judge_decisions/0003.jsonl")) == [JUDGE]
    files = viewer.get(f"{run}/files").json()["files"]
    assert {"costs.json", "events/reasoning.jsonl", "outcomes.json", "eval_candidates.json",
            SIDE_EFFECT_FILE, "judge_decisions/0003.jsonl"} <= set(files)


def test_the_export_holds_every_stream(augur):
    sdk, viewer = augur.workspace()
    _send_all(sdk)
    archive = viewer.get(f"{API}/runs/run_abc/export.tar.gz")
    assert archive.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(archive.content), mode="r:gz") as tar:
        def read(path):
            return tar.extractfile(f"run_abc/{path}").read().decode()

        assert json.loads(read("costs.json")) == COSTS
        assert [json.loads(line) for line in read("events/reasoning.jsonl").splitlines()] == REASONING
        assert json.loads(read("outcomes.json")) == {"outcomes": [OUTCOME]}
        assert json.loads(read("eval_candidates.json")) == {"candidates": [CANDIDATE]}
        assert json.loads(read(SIDE_EFFECT_FILE)) == COMMITTED
        assert [json.loads(line) for line in read("judge_decisions/0003.jsonl").splitlines()] == [JUDGE]


def test_a_side_effect_state_arriving_late_does_not_undo_a_later_one(augur):
    sdk, viewer = augur.workspace()
    assert sdk.post(f"{API}/runs/r/side-effects", json=COMMITTED).json() == {"run_id": "r", "stored": SIDE_EFFECT_FILE}
    late = sdk.post(f"{API}/runs/r/side-effects", json=DECLARED)
    assert late.json() == {"run_id": "r", "stored": SIDE_EFFECT_FILE, "superseded": True}
    aborted = {**DECLARED, "status": "aborted", "aborted_at": "2026-01-05T10:00:06Z", "abort_reason": "kill"}
    assert sdk.post(f"{API}/runs/r/side-effects", json=aborted).json().get("superseded") is None
    assert viewer.get(f"{API}/runs/r/{SIDE_EFFECT_FILE}").json() == aborted


def test_judge_decisions_are_kept_per_step_under_the_paths_index(augur):
    sdk, viewer = augur.workspace()
    sdk.post(f"{API}/runs/r/steps/3/judge-decisions", json=JUDGE)
    sdk.post(f"{API}/runs/r/steps/3/judge-decisions", json={**JUDGE, "judge_id": "second"})
    sdk.post(f"{API}/runs/r/steps/7/judge-decisions", json={**JUDGE, "judge_id": "other"})
    assert [d["judge_id"] for d in _jsonl(viewer.get(f"{API}/runs/r/judge_decisions/0003.jsonl"))] == ["verifier", "second"]
    assert [d["judge_id"] for d in _jsonl(viewer.get(f"{API}/runs/r/judge_decisions/0007.jsonl"))] == ["other"]
    assert viewer.get(f"{API}/runs/r/judge_decisions/0004.jsonl").status_code == 404


def test_reads_before_anything_was_sent_are_404(augur):
    sdk, viewer = augur.workspace()
    sdk.put(f"{API}/runs/r/steps/0", json={"step_index": 0})
    for path in ("costs.json", "events/reasoning.jsonl", "outcomes.json", "eval_candidates.json",
                 SIDE_EFFECT_FILE, "judge_decisions/0000.jsonl"):
        response = viewer.get(f"{API}/runs/r/{path}")
        assert response.status_code == 404, path
        assert set(response.json()) == {"detail"}


def test_bodies_the_spec_refuses(augur):
    sdk, _ = augur.workspace()
    assert sdk.put(f"{API}/runs/r/costs", json={}).status_code == 422
    assert sdk.put(f"{API}/runs/r/costs", json=[1]).status_code == 422
    assert sdk.post(f"{API}/runs/r/side-effects", json={"status": "declared"}).status_code == 422
    assert sdk.post(f"{API}/runs/r/side-effects", json={**DECLARED, "side_effect_id": "../x"}).status_code == 422
    assert sdk.post(f"{API}/runs/r/reasoning", json="text").status_code == 422


def test_streams_need_a_dsn_key(augur):
    _, viewer = augur.workspace()
    anonymous = augur.sdk("not-a-key")
    assert anonymous.put(f"{API}/runs/r/costs", json=COSTS).status_code in (401, 403)
    assert viewer.put(f"{API}/runs/r/costs", json=COSTS).status_code == 401


def test_tenants_do_not_see_each_others_streams(augur):
    sdk_a, viewer_a = augur.workspace("acme")
    sdk_b, viewer_b = augur.workspace("globex")
    _send_all(sdk_a, "shared")
    sdk_b.put(f"{API}/runs/shared/costs", json={"total_usd": 9.0})
    paths = ("costs.json", "events/reasoning.jsonl", "outcomes.json", "eval_candidates.json",
             SIDE_EFFECT_FILE, "judge_decisions/0003.jsonl")
    for path in paths:
        assert viewer_a.get(f"{API}/runs/shared/{path}").status_code == 200, path
    assert viewer_a.get(f"{API}/runs/shared/costs.json").json() == COSTS
    assert viewer_b.get(f"{API}/runs/shared/costs.json").json() == {"total_usd": 9.0}
    for path in paths[1:]:
        assert viewer_b.get(f"{API}/runs/shared/{path}").status_code == 404, path
    _send_all(sdk_a, "only-a")
    for path in paths:
        response = viewer_b.get(f"{API}/runs/only-a/{path}")
        assert response.status_code == 404, path
        assert set(response.json()) == {"detail"}


def test_an_earlier_cost_roll_up_arriving_late_does_not_replace_a_later_one(augur):
    sdk, viewer = augur.workspace()
    assert sdk.put(f"{API}/runs/r/costs", json=COSTS).json() == {"run_id": "r", "stored": "costs.json"}
    earlier = {"total_usd": 0.1, "model_usd": 0.1, "tokens_in": 3000, "tokens_out": 200}
    assert sdk.put(f"{API}/runs/r/costs", json=earlier).json() == {"run_id": "r", "stored": "costs.json",
                                                                     "superseded": True}
    assert viewer.get(f"{API}/runs/r/costs.json").json() == COSTS
    later = {**COSTS, "tokens_out": 900, "gpu_usd": 0.01}
    assert sdk.put(f"{API}/runs/r/costs", json=later).json().get("superseded") is None
    assert viewer.get(f"{API}/runs/r/costs.json").json() == later
