"""Each diagnostic rule, on run views built in memory, and once end to end over the API."""
from __future__ import annotations

from agentdeck.augur import diagnostics
from agentdeck.augur.diagnostics import RunView

from tests.augur.world import API, png_bytes


def _view(steps=(), manifest=None, trace=None, streams=(), files=(), logs=None) -> RunView:
    return RunView(manifest or {"run_id": "r"}, trace, list(steps), list(streams), list(files), logs or {})


def _rules(findings):
    return [(f["rule_id"], f.get("step_index")) for f in findings]


def test_step_failed_reads_failure_class_status_success_and_error():
    steps = [(0, {"verdict": "ok"}), (1, {"failure_class": "no_state_change"}), (2, {"status": "ERROR"}),
             (3, {"success": False}), (4, {"error": {"message": "boom"}}), (5, {"outcome": "failed"}),
             (6, {"error": None, "status": "succeeded"})]
    found = diagnostics.rule_step_failed(_view(steps))
    assert _rules(found) == [("server.step_failed", i) for i in (1, 2, 3, 4, 5)]
    assert found[0]["evidence"] == [{"type": "step", "ref": "steps/0001.json"}]
    assert "failure_class=no_state_change" in found[0]["summary"]


def test_step_index_mismatch():
    found = diagnostics.rule_step_index_mismatch(_view([(0, {"step_index": 0}), (1, {"step_index": 2}),
                                                         (2, {"step_index": "2"}), (3, {})]))
    assert _rules(found) == [("server.step_index_mismatch", 1)]


def test_action_loop_needs_three_consecutive_identical_actions():
    click = {"type": "click", "params": {"x": 1, "y": 2}}
    same_reordered = {"params": {"y": 2, "x": 1}, "type": "click"}
    steps = [(0, {"action": click}), (1, {"action": same_reordered}), (2, {"action": click}),
             (3, {"action": {"type": "type"}}), (4, {"action": click}), (5, {"action": click}),
             (7, {"action": click})]
    found = diagnostics.rule_action_loop(_view(steps))
    assert _rules(found) == [("server.action_loop", 0)]
    assert [e["ref"] for e in found[0]["evidence"]] == ["steps/0000.json", "steps/0001.json", "steps/0002.json"]
    assert diagnostics.rule_action_loop(_view([(i, {"action": None}) for i in range(5)])) == []


def test_long_gap_between_steps():
    steps = [(0, {"started_at": "2026-01-05T10:00:00Z", "ended_at": "2026-01-05T10:00:01Z"}),
             (1, {"started_at": "2026-01-05T10:00:20Z"}),
             (2, {"started_at": 1767607300}),  # epoch seconds: 2026-01-05T10:01:40Z, 80 s later
             (3, {"ts": 1767607301500})]  # epoch milliseconds
    found = diagnostics.rule_long_gap(_view(steps))
    assert _rules(found) == [("server.long_gap", 2)]
    assert found[0]["summary"].startswith("80.0 s")
    assert diagnostics.rule_long_gap(_view([(0, {"started_at": "garbage"}), (1, {"started_at": True})])) == []


def test_missing_steps():
    found = diagnostics.rule_missing_steps(_view([(0, {}), (3, {}), (4, {})]))
    assert _rules(found) == [("server.missing_steps", 1)]
    assert "2 step record(s)" in found[0]["summary"] and "1, 2" in found[0]["summary"]
    assert diagnostics.rule_missing_steps(_view([(0, {}), (1, {})])) == []


def test_missing_screenshot_cited_or_absent():
    steps = [(0, {"observation": {"post": "screenshots/0000_post.png"}}),
             (1, {"observation": {"post": "screenshots/0001_post.png"}}),
             (2, {"note": "no screenshot cited"}),
             (3, {"observation": "screenshots/0003_target.png"})]
    files = ["screenshots/0000_post.png", "screenshots/0003_pre.png"]
    manifest = {"run_id": "r", "missing": ["screenshots/0003_target.png"]}
    found = diagnostics.rule_missing_screenshot(_view(steps, manifest=manifest, files=files))
    assert _rules(found) == [("server.missing_screenshot", 1), ("server.missing_screenshot", 2)]
    assert {"type": "screenshot", "ref": "screenshots/0001_post.png"} in found[0]["evidence"]
    # A run with no screenshots at all (capture off) is not flagged for not having them.
    assert diagnostics.rule_missing_screenshot(_view([(0, {})])) == []


def test_log_errors():
    logs = {"logs/run.log": "starting\nERROR could not click\nok\nTraceback (most recent call last):\n",
            "logs/step-7.log": "ValueError raised? no: TimeoutException here\n",
            "logs/clean.log": "errors=0 all fine\n"}
    found = diagnostics.rule_log_errors(_view(logs=logs))
    assert _rules(found) == [("server.log_errors", None), ("server.log_errors", 7)]
    assert "2 error line(s)" in found[0]["summary"]
    assert found[1]["evidence"] == [{"type": "log", "ref": "logs/step-7.log"}]


def test_run_failed_from_manifest_or_trace_session():
    assert _rules(diagnostics.rule_run_failed(_view(manifest={"status": "crashed"}))) == [("server.run_failed", None)]
    trace = {"session": {"status": "failed"}}
    assert diagnostics.rule_run_failed(_view(trace=trace))[0]["evidence"] == [{"type": "trace", "ref": "trace.json"}]
    assert diagnostics.rule_run_failed(_view(manifest={"status": "succeeded"})) == []


def test_orphan_events():
    found = diagnostics.rule_orphan_events(_view([(0, {})], streams=["0000", "0004", "run"]))
    assert _rules(found) == [("server.orphan_events", 4)]


def test_findings_endpoint_computes_from_the_stored_run(augur):
    sdk, viewer = augur.workspace()
    sdk.post(f"{API}/runs", json={"run_id": "r1", "status": "failed"})
    for i in range(4):
        sdk.put(f"{API}/runs/r1/steps/{i}", json={"action": {"type": "scroll"}})
    sdk.put(f"{API}/runs/r1/steps/6", json={"failure_class": "model_timeout"})
    sdk.post(f"{API}/runs/r1/screenshots/0/post", files={"image": ("a.png", png_bytes(), "image/png")})
    sdk.post(f"{API}/runs/r1/logs", json={"text": "FATAL: browser died\n", "step_index": 6})
    body = viewer.get(f"{API}/runs/r1/diagnostics/findings.json").json()
    rules = [f["rule_id"] for f in body]
    assert rules[:2] == ["server.run_failed", "server.step_failed"]
    assert {"server.action_loop", "server.missing_steps", "server.log_errors", "server.missing_screenshot"} <= set(rules)
    assert sum(f["severity"] == "high" for f in body) == 2
    # Fixing the run changes the findings: nothing is stored.
    sdk.put(f"{API}/runs/r1/steps/6", json={"status": "ok"})
    again = viewer.get(f"{API}/runs/r1/diagnostics/findings.json").json()
    assert "server.step_failed" not in [f["rule_id"] for f in again]
