"""What the SDK sends: manifests, steps, events, screenshots, model I/O, logs, heartbeats."""
from __future__ import annotations

from datetime import timedelta

from tests.augur.world import API, png_bytes


def _open(sdk, run_id="run_abc", **manifest):
    response = sdk.post(f"{API}/runs", json={"run_id": run_id, **manifest})
    assert response.status_code in (200, 201), response.text
    return response


def test_manifest_is_idempotent_on_run_id(augur):
    sdk, viewer = augur.workspace()
    first = _open(sdk, status="running")
    repeat = _open(sdk, status="succeeded")
    assert (first.status_code, first.json()) == (201, {"run_id": "run_abc", "created": True})
    assert (repeat.status_code, repeat.json()) == (200, {"run_id": "run_abc", "created": False})
    runs = viewer.get(f"{API}/runs").json()
    assert runs["total"] == 1 and runs["runs"][0]["status"] == "succeeded"
    assert viewer.get(f"{API}/runs/run_abc/manifest.json").json() == {"run_id": "run_abc", "status": "succeeded"}


def test_manifest_requires_a_safe_run_id(augur):
    sdk, _ = augur.workspace()
    for manifest in ({}, {"run_id": ""}, {"run_id": "../x"}, {"run_id": "a/b"}, {"run_id": 5}, []):
        response = sdk.post(f"{API}/runs", json=manifest)
        assert response.status_code == 422, manifest
        assert set(response.json()) == {"detail"}


def test_documents_json_cannot_carry_are_422(augur):
    sdk, _ = augur.workspace()
    _open(sdk)
    for raw in ('{"x": NaN}', '{"x": Infinity}', '{"x": "\\ud800"}'):
        response = sdk.put(f"{API}/runs/run_abc/steps/0", content=raw,
                           headers={"Content-Type": "application/json"})
        assert response.status_code == 422, raw


def test_steps_replace_and_read_by_padded_name(augur):
    sdk, viewer = augur.workspace()
    _open(sdk)
    assert sdk.put(f"{API}/runs/run_abc/steps/3", json={"v": 1}).json() == {"run_id": "run_abc", "stored": "steps/0003.json"}
    sdk.put(f"{API}/runs/run_abc/steps/3", json={"v": 2})
    assert viewer.get(f"{API}/runs/run_abc/steps/0003.json").json() == {"v": 2}
    assert viewer.get(f"{API}/runs/run_abc/steps/003.json").status_code == 422
    assert viewer.get(f"{API}/runs/run_abc/steps/00003.json").status_code == 404
    assert viewer.get(f"{API}/runs/run_abc/steps/0004.json").status_code == 404
    assert viewer.get(f"{API}/runs").json()["runs"][0]["step_count"] == 1


def test_step_record_is_kept_as_sent_under_the_paths_index(augur):
    sdk, viewer = augur.workspace()
    _open(sdk)
    assert sdk.put(f"{API}/runs/run_abc/steps/3", json={"step_index": 4}).status_code == 200
    assert viewer.get(f"{API}/runs/run_abc/steps/0003.json").json() == {"step_index": 4}
    assert viewer.get(f"{API}/runs/run_abc/steps/0004.json").status_code == 404


def test_ingest_before_the_manifest_opens_the_run(augur):
    # The published SDK sends the manifest only at close(): a live run is all ingest calls.
    sdk, viewer = augur.workspace()
    assert sdk.put(f"{API}/runs/live/steps/0", json={"v": 1}).status_code == 200
    assert sdk.post(f"{API}/runs/live/events", json={"events": [{"e": 1}], "step_index": 0}).status_code == 200
    assert sdk.post(f"{API}/runs/live/logs", json={"text": "hi"}).status_code == 200
    assert sdk.post(f"{API}/runs/live/screenshots/0/post", files={"image": ("s.png", png_bytes(3), "image/png")}).status_code == 201
    listed = viewer.get(f"{API}/runs").json()
    assert [r["run_id"] for r in listed["runs"]] == ["live"] and listed["runs"][0]["step_count"] == 1
    assert _open(sdk, run_id="live", marker="late").status_code == 200
    assert viewer.get(f"{API}/runs/live/manifest.json").json() == {"run_id": "live", "marker": "late"}
    assert viewer.get(f"{API}/runs/live/steps/0000.json").json() == {"v": 1}
    assert viewer.get(f"{API}/runs/live/events/0000.jsonl").text == '{"e":1}\n'
    assert viewer.get(f"{API}/runs/live/logs/run.log").text == "hi"
    assert viewer.get(f"{API}/runs/live/screenshots/0000_post.png").content == png_bytes(3)


def test_concurrent_first_calls_for_one_run_all_succeed(augur):
    sdk, viewer = augur.workspace()
    from concurrent.futures import ThreadPoolExecutor

    def call(i):
        if i % 3 == 0:
            return sdk.post(f"{API}/runs/race/logs", json={"text": "x"}).status_code
        if i % 3 == 1:
            return sdk.post(f"{API}/runs/race/events", json={"events": [{"i": i}]}).status_code
        return sdk.put(f"{API}/runs/race/steps/{i}", json={"i": i}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(call, range(24)))
    assert set(statuses) == {200}, statuses
    runs = viewer.get(f"{API}/runs").json()
    assert runs["total"] == 1 and runs["runs"][0]["step_count"] == 8


def test_trace_before_and_after_the_sdk_sends_one(augur):
    sdk, viewer = augur.workspace()
    _open(sdk, client_name="a")
    sdk.put(f"{API}/runs/run_abc/steps/1", json={"i": 1})
    sdk.put(f"{API}/runs/run_abc/steps/0", json={"i": 0})
    live = viewer.get(f"{API}/runs/run_abc/trace.json").json()
    assert live["steps"] == [{"i": 0}, {"i": 1}]
    assert live["session"] | {"started_at": None} == {
        "schema_version": "0.1", "debug_session_id": "dbg_run_abc", "run_id": "run_abc",
        "client": {"name": "a"}, "capture_mode": "trace", "started_at": None, "status": "running"}
    trace = {"session": {"id": "s"}, "steps": [], "extra": [1.5, None]}
    assert sdk.put(f"{API}/runs/run_abc/trace", json=trace).status_code == 200
    assert viewer.get(f"{API}/runs/run_abc/trace.json").json() == trace


def test_events_are_appended_per_step_and_per_run(augur):
    sdk, viewer = augur.workspace()
    _open(sdk)
    sdk.post(f"{API}/runs/run_abc/events", json={"events": [{"n": 1}], "step_index": 2})
    sdk.post(f"{API}/runs/run_abc/events", json={"events": [{"n": 2}, {"n": 3}], "step_index": 2})
    response = sdk.post(f"{API}/runs/run_abc/events", json={"events": [{"n": "r"}, {"n": 4, "step_index": 2}]})
    assert response.json() == {"accepted": 2}
    stream = viewer.get(f"{API}/runs/run_abc/events/0002.jsonl")
    assert stream.headers["content-type"].startswith("application/jsonl")
    assert stream.text == '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4,"step_index":2}\n'
    assert viewer.get(f"{API}/runs/run_abc/events/run.jsonl").text == '{"n":"r"}\n'
    assert viewer.get(f"{API}/runs/run_abc/events/0001.jsonl").status_code == 404


def test_screenshots_must_be_png_by_signature(augur):
    sdk, viewer = augur.workspace()
    _open(sdk)
    url = f"{API}/runs/run_abc/screenshots/0/post"
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    for name, data, declared in (("a.png", jpeg, "image/png"), ("a.png", b"", "image/png"),
                                 ("a.txt", b"hello", "text/plain"), ("a.png", b"\x89PNG\r\n", "image/png")):
        response = sdk.post(url, files={"image": (name, data, declared)})
        assert response.status_code == 415, (data, response.text)
        assert set(response.json()) == {"detail"}
    assert sdk.post(url, data={"image": "not a file"}).status_code == 415
    assert sdk.post(url, files={"other": ("a.png", png_bytes(), "image/png")}).status_code == 422
    png = png_bytes(7)
    assert sdk.post(url, files={"image": ("shot.bin", png, "application/octet-stream")}).status_code == 201
    assert viewer.get(f"{API}/runs/run_abc/screenshots/0000_post.png").content == png
    assert viewer.get(f"{API}/runs/run_abc/screenshots/0000_pre.png").status_code == 404


def test_screenshot_kinds(augur):
    sdk, viewer = augur.workspace()
    _open(sdk)
    for n, kind in enumerate(("pre", "post", "target", "diff")):
        assert sdk.post(f"{API}/runs/run_abc/screenshots/12/{kind}",
                        files={"image": ("a.png", png_bytes(n), "image/png")}).status_code == 201
        assert viewer.get(f"{API}/runs/run_abc/screenshots/0012_{kind}.png").content == png_bytes(n)
    assert sdk.post(f"{API}/runs/run_abc/screenshots/12/side",
                    files={"image": ("a.png", png_bytes(), "image/png")}).status_code == 422
    assert viewer.get(f"{API}/runs/run_abc/screenshots/0012_side.png").status_code == 422


def test_modelio_needs_the_tenant_to_enable_capture(augur):
    sdk, viewer = augur.workspace("acme", modelio_capture=False)
    _open(sdk)
    response = sdk.post(f"{API}/runs/run_abc/modelio/0003-planner-0.json", json={"a": 1})
    assert response.status_code == 403
    assert response.json() == {"detail": "Model I/O capture is not enabled for this tenant"}
    from agentdeck.augur.tenants import set_modelio_capture

    set_modelio_capture("acme", True)
    assert sdk.post(f"{API}/runs/run_abc/modelio/0003-planner-0.json", json={"a": 1}).status_code == 201
    assert sdk.post(f"{API}/runs/run_abc/modelio/run-grounding_v2-12.json", json={"b": 2}).status_code == 201
    assert viewer.get(f"{API}/runs/run_abc/modelio/run-grounding_v2-12.json").json() == {"b": 2}


def test_modelio_names_other_than_the_sdk_layout_are_refused(augur):
    sdk, _ = augur.workspace()
    _open(sdk)
    for relpath in ("3-planner-0.json", "0003-planner-0.txt", "0003-planner.json", "x-planner-0.json",
                    "0003-plan.ner-0.json", "0003-planner-0.json.png", ".json"):
        response = sdk.post(f"{API}/runs/run_abc/modelio/{relpath}", json={})
        assert response.status_code == 422, relpath


def test_log_chunks_route_by_step_or_name(augur):
    sdk, viewer = augur.workspace()
    _open(sdk)
    assert sdk.post(f"{API}/runs/run_abc/logs", json={"text": "a\n", "step_index": 3}).json() == {
        "path": "logs/step-3.log", "size": 2}
    sdk.post(f"{API}/runs/run_abc/logs", json={"text": "b\n", "step_index": 3, "name": "ignored"})
    sdk.post(f"{API}/runs/run_abc/logs", json={"text": "r\n"})
    sdk.post(f"{API}/runs/run_abc/logs", json={"text": "x\n", "name": "runner"})
    assert viewer.get(f"{API}/runs/run_abc/logs/step-3.log").content == b"a\nb\n"
    assert viewer.get(f"{API}/runs/run_abc/logs/run.log").content == b"r\n"
    assert viewer.get(f"{API}/runs/run_abc/logs/runner.log").content == b"x\n"
    assert sdk.post(f"{API}/runs/run_abc/logs", json={"text": "x", "name": "../etc"}).status_code == 422


def test_log_files_are_bounded_at_one_mebibyte(augur):
    sdk, viewer = augur.workspace()
    _open(sdk)
    url = f"{API}/runs/run_abc/logs"
    chunk = "x" * (256 * 1024)
    for _ in range(3):
        assert sdk.post(url, json={"text": chunk}).status_code == 200
    almost = "y" * (256 * 1024 - 10)
    assert sdk.post(url, json={"text": almost}).json()["size"] == 1024 * 1024 - 10
    refused = sdk.post(url, json={"text": "z" * 11})
    assert refused.status_code == 413
    assert "1048576" in refused.json()["detail"]
    assert sdk.post(url, json={"text": "z" * 10}).json()["size"] == 1024 * 1024
    assert sdk.post(url, json={"text": "!"}).status_code == 413
    content = viewer.get(f"{API}/runs/run_abc/logs/run.log").content
    assert len(content) == 1024 * 1024 and content.endswith(b"y" + b"z" * 10)
    # Other files of the run are not affected by this one's bound.
    assert sdk.post(url, json={"text": "ok", "name": "other"}).status_code == 200


def test_heartbeats_and_the_sixty_second_window(augur):
    from agentdeck.storage.models.augur import AugurHeartbeat
    from agentdeck.timeutil import utcnow

    sdk, viewer = augur.workspace()
    body = {"client_id": "c1", "client_name": "myagent", "client_version": "1.2", "capture_mode": "full",
            "run_id": "run_abc", "last_event": {"type": "step", "index": 4}}
    response = sdk.post(f"{API}/heartbeat", json=body)
    assert response.status_code == 200 and response.json()["client_id"] == "c1"
    connections = viewer.get(f"{API}/connections").json()
    assert connections["window_seconds"] == 60
    [seen] = connections["connections"]
    assert {k: seen[k] for k in body} == body and seen["dsn_label"] == "test"
    AugurHeartbeat.update(last_seen=utcnow() - timedelta(seconds=61)).execute()
    assert viewer.get(f"{API}/connections").json()["connections"] == []


def test_every_ingest_call_stamps_a_heartbeat(augur):
    sdk, viewer = augur.workspace()
    _open(sdk)
    [seen] = viewer.get(f"{API}/connections").json()["connections"]
    assert seen["client_id"].startswith("dsn-") and seen["run_id"] == "run_abc"
    # Once the client announces itself, ingest calls keep its own row fresh instead.
    sdk.post(f"{API}/heartbeat", json={"client_id": "c1"})
    assert [c["client_id"] for c in viewer.get(f"{API}/connections").json()["connections"]] == ["c1"]
