"""What the server serves validates against the published JSON Schemas (augur-schema 0.6.0) and
passes the SDK's own ``validate_bundle()``: a run written by the published SDK, streamed in and
exported, is a valid bundle; ``diagnostics/findings.json`` is an array of DiagnosticFindings;
the trace of a live run is a valid trace with a DebugSession."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.augur.world import API

augur_schema = pytest.importorskip("augur_schema")
validation = pytest.importorskip("augur_sdk.validation")

RUN_ID = "run_valid"


def _errors(schema: str, document) -> list[str]:
    return [error.message for error in augur_schema.validator_for(schema).iter_errors(document)]


def _sdk_bundle(tmp_path: Path, monkeypatch) -> Path:
    """A bundle written locally by the published SDK: one step that succeeded, one that failed."""
    from augur_sdk import DebugSession

    monkeypatch.delenv("AUGUR_DSN", raising=False)
    out = tmp_path / "sdk"
    with DebugSession(run_id=RUN_ID, client_name="myagent", client_version="1.4.0", out_dir=out,
                      capture_mode="trace") as session:
        session.record_step({"step_id": f"{RUN_ID}/step/0000", "step_index": 0, "step_type": "click",
                             "status": "succeeded", "started_at": "2026-01-05T10:00:00Z",
                             "ended_at": "2026-01-05T10:00:01Z",
                             "action": {"type": "click", "params": {"x": 1, "y": 2}}})
        session.record_step({"step_id": f"{RUN_ID}/step/0001", "step_index": 1, "step_type": "click",
                             "status": "failed", "failure_class": "no_state_change",
                             "started_at": "2026-01-05T10:00:02Z"})
    assert validation.validate_bundle(out) == []
    return out


def _stream(sdk, bundle: Path) -> None:
    """Send the bundle's documents the way the SDK streams them (steps first, manifest last)."""
    for step in sorted((bundle / "steps").glob("*.json")):
        assert sdk.put(f"{API}/runs/{RUN_ID}/steps/{int(step.stem)}", content=step.read_bytes(),
                       headers={"Content-Type": "application/json"}).status_code == 200
    assert sdk.post(f"{API}/runs/{RUN_ID}/logs", json={"text": "ERROR: browser crashed\n"}).status_code == 200
    assert sdk.put(f"{API}/runs/{RUN_ID}/trace", content=(bundle / "trace.json").read_bytes(),
                   headers={"Content-Type": "application/json"}).status_code == 200
    assert sdk.post(f"{API}/runs", content=(bundle / "manifest.json").read_bytes(),
                    headers={"Content-Type": "application/json"}).status_code == 200


def test_findings_are_an_array_of_diagnostic_findings(augur, tmp_path, monkeypatch):
    sdk, viewer = augur.workspace()
    _stream(sdk, _sdk_bundle(tmp_path, monkeypatch))
    findings = viewer.get(f"{API}/runs/{RUN_ID}/diagnostics/findings.json").json()
    assert isinstance(findings, list)
    assert {f["rule_id"] for f in findings} >= {"server.step_failed", "server.log_errors"}
    for finding in findings:
        assert _errors("diagnostic_finding", finding) == [], finding
    run_level = [f for f in findings if f["rule_id"] == "server.log_errors"]
    assert run_level and all("step_index" not in f for f in run_level)
    assert [f["step_index"] for f in findings if f["rule_id"] == "server.step_failed"] == [1]


def test_the_export_of_an_sdk_run_passes_the_sdks_validate_bundle(augur, tmp_path, monkeypatch):
    sdk, viewer = augur.workspace()
    bundle = _sdk_bundle(tmp_path, monkeypatch)
    _stream(sdk, bundle)
    archive = viewer.get(f"{API}/runs/{RUN_ID}/export.tar.gz")
    assert archive.status_code == 200
    exported = tmp_path / "export"
    with tarfile.open(fileobj=io.BytesIO(archive.content), mode="r:gz") as tar:
        tar.extractall(exported, filter="data")
    root = exported / RUN_ID
    assert validation.validate_bundle(root) == []
    assert isinstance(json.loads((root / "diagnostics/findings.json").read_text()), list)
    for name in ("manifest.json", "trace.json", "steps/0000.json", "steps/0001.json"):
        assert json.loads((root / name).read_text()) == json.loads((bundle / name).read_text()), name


def test_a_live_runs_trace_is_a_valid_trace(augur, tmp_path, monkeypatch):
    sdk, viewer = augur.workspace()
    bundle = _sdk_bundle(tmp_path, monkeypatch)
    assert sdk.post(f"{API}/heartbeat", json={"client_id": "sdk_1", "client_name": "myagent",
                                              "client_version": "1.4.0", "capture_mode": "screenshots",
                                              "run_id": RUN_ID}).status_code == 200
    step = json.loads((bundle / "steps/0000.json").read_text())
    assert sdk.put(f"{API}/runs/{RUN_ID}/steps/0", json=step).status_code == 200
    trace = viewer.get(f"{API}/runs/{RUN_ID}/trace.json").json()
    assert _errors("trace", trace) == []
    assert trace["steps"] == [step]
    session = trace["session"]
    assert (session["run_id"], session["status"], session["capture_mode"]) == (RUN_ID, "running", "screenshots")
    assert session["client"] == {"name": "myagent", "version": "1.4.0"}


def test_a_trace_read_before_anything_says_who_sent_it_is_still_valid(augur):
    sdk, viewer = augur.workspace()
    assert sdk.post(f"{API}/runs/odd.run/logs", json={"text": "hello\n"}).status_code == 200
    trace = viewer.get(f"{API}/runs/odd.run/trace.json").json()
    assert _errors("trace", trace) == []
    assert trace["steps"] == [] and trace["session"]["debug_session_id"] == "dbg_odd_run"
    assert viewer.get(f"{API}/runs/odd.run/manifest.json").json() == {"run_id": "odd.run"}


def test_the_manifests_session_fields_are_used_once_it_arrives(augur, tmp_path, monkeypatch):
    sdk, viewer = augur.workspace()
    bundle = _sdk_bundle(tmp_path, monkeypatch)
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert sdk.post(f"{API}/runs", json=manifest).status_code == 201
    session = viewer.get(f"{API}/runs/{RUN_ID}/trace.json").json()["session"]
    assert _errors("debug_session", session) == []
    assert (session["debug_session_id"], session["capture_mode"], session["client"]) == (
        manifest["debug_session_id"], "trace", {"name": "myagent", "version": "1.4.0"})
