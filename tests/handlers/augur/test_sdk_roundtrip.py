"""An SDK-like client streams a whole run to a real server on loopback; the viewer's calls read
every document back as the same JSON and every file back as the same bytes."""
from __future__ import annotations

import io
import json
import tarfile

import httpx

from tests.augur.world import PASSWORD, png_bytes

STEPS = 50
KINDS = ("pre", "post")


def _manifest(run_id: str) -> dict:
    return {"run_id": run_id, "schema_version": "0.2", "bundle_format": "augur-bundle",
            "client_name": "myagent", "client_version": "1.4.0", "capture_mode": "full",
            "started_at": "2026-01-05T10:00:00Z", "tags": {"suite": "smoke", "ünïcode": "✓"},
            "missing": [], "metrics": {"ratio": 0.1, "big": 12345678901234567890, "neg": -1.5e-7}}


def _step(i: int) -> dict:
    return {"step_index": i, "action": {"type": "click", "params": {"x": 10 * i, "y": 20}},
            "grounding": {"provenance": "screenshot", "confidence": 0.5 + i / 1000},
            "started_at": f"2026-01-05T10:00:{i:02d}Z", "ended_at": f"2026-01-05T10:00:{i:02d}.5Z",
            "verdict": "ok", "notes": None, "nested": [[1, 2], {"a": [True, False, None]}]}


def _events(i: int) -> list[dict]:
    return [{"kind": "planner", "step_index": i, "seq": 0, "decision": f"click #{i}"},
            {"kind": "verifier", "step_index": i, "seq": 1, "passed": True, "text": "line\nbreak"}]


def _modelio(i: int) -> dict:
    return {"layer": "planner", "step_index": i, "seq": 0,
            "request": {"messages": [{"role": "user", "content": f"step {i} — go"}]},
            "response": {"text": "click", "usage": {"input_tokens": 120 + i, "output_tokens": 3}}}


def _stream_run(sdk: httpx.Client, run_id: str) -> dict:
    """What the SDK does for one run; returns what it sent, by bundle path."""
    sent: dict[str, object] = {"manifest.json": _manifest(run_id)}
    assert sdk.post("/api/v1/heartbeat", json={"client_id": "sdk-1", "client_name": "myagent"}).status_code == 200
    assert sdk.post("/api/v1/runs", json=sent["manifest.json"]).status_code == 201
    for i in range(STEPS):
        name = f"{i:04d}"
        assert sdk.put(f"/api/v1/runs/{run_id}/steps/{i}", json=_step(i)).status_code == 200
        assert sdk.post(f"/api/v1/runs/{run_id}/events", json={"events": _events(i), "step_index": i}).status_code == 200
        for n, kind in enumerate(KINDS):
            image = png_bytes(seed=i * 2 + n)
            response = sdk.post(f"/api/v1/runs/{run_id}/screenshots/{i}/{kind}",
                                files={"image": (f"{kind}.png", image, "image/png")})
            assert response.status_code == 201, response.text
            sent[f"screenshots/{name}_{kind}.png"] = image
        assert sdk.post(f"/api/v1/runs/{run_id}/modelio/{name}-planner-0.json", json=_modelio(i)).status_code == 201
        text = f"step {i}: dispatched click ✓\n"
        assert sdk.post(f"/api/v1/runs/{run_id}/logs", json={"text": text, "step_index": i}).status_code == 200
        assert sdk.post(f"/api/v1/runs/{run_id}/logs", json={"text": f"runner {i}\n", "name": "runner"}).status_code == 200
        sent[f"steps/{name}.json"] = _step(i)
        sent[f"events/{name}.jsonl"] = _events(i)
        sent[f"modelio/{name}-planner-0.json"] = _modelio(i)
        sent[f"logs/step-{i}.log"] = text.encode()
    sent["logs/runner.log"] = "".join(f"runner {i}\n" for i in range(STEPS)).encode()
    run_events = [{"kind": "run", "message": "closing"}]
    assert sdk.post(f"/api/v1/runs/{run_id}/events", json={"events": run_events}).status_code == 200
    sent["events/run.jsonl"] = run_events
    trace = {"session": {**_manifest(run_id), "status": "succeeded"}, "steps": [_step(i) for i in range(STEPS)]}
    assert sdk.put(f"/api/v1/runs/{run_id}/trace", json=trace).status_code == 200
    sent["trace.json"] = trace
    return sent


def _jsonl(text: str) -> list:
    return [json.loads(line) for line in text.splitlines()]


def test_sdk_stream_reads_back_identical(augur, live_server):
    tenant = augur.tenant("acme")
    augur.user("viewer@acme.example", tenant)
    base = f"{live_server}/augur"
    headers = {"Authorization": f"Bearer {augur.dsn_key(tenant)}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as sdk:
        sent = _stream_run(sdk, "run_abc")
    with httpx.Client(base_url=base, timeout=30) as viewer:
        login = viewer.post("/api/v1/auth/login", json={"email": "viewer@acme.example", "password": PASSWORD})
        assert login.status_code == 200
        for path, expected in sent.items():
            response = viewer.get(f"/api/v1/runs/run_abc/{path}")
            assert response.status_code == 200, (path, response.text)
            if isinstance(expected, bytes):
                assert response.content == expected, path
            elif path.endswith(".jsonl"):
                assert response.headers["content-type"].startswith("application/jsonl")
                assert _jsonl(response.text) == expected, path
            else:
                assert response.json() == expected, path
            if path.endswith(".png"):
                assert response.headers["content-type"] == "image/png"

        runs = viewer.get("/api/v1/runs").json()
        assert runs["total"] == 1
        assert runs["runs"][0] | {"created_at": None, "updated_at": None} == {
            "run_id": "run_abc", "client_name": "myagent", "client_version": "1.4.0", "status": "succeeded",
            "capture_mode": "full",
            "step_count": STEPS, "has_trace": True, "created_at": None, "updated_at": None}
        connections = viewer.get("/api/v1/connections").json()["connections"]
        assert [c["client_id"] for c in connections] == ["sdk-1"]
        assert connections[0]["run_id"] == "run_abc"

        archive = viewer.get("/api/v1/runs/run_abc/export.tar.gz")
        assert archive.status_code == 200
        with tarfile.open(fileobj=io.BytesIO(archive.content), mode="r:gz") as tar:
            names = set(tar.getnames())
            assert tar.extractfile("run_abc/screenshots/0049_post.png").read() == sent["screenshots/0049_post.png"]
            assert json.loads(tar.extractfile("run_abc/steps/0007.json").read()) == sent["steps/0007.json"]
        assert {f"run_abc/{p}" for p in sent} <= names
        assert "run_abc/diagnostics/findings.json" in names
