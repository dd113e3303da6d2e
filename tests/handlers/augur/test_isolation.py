"""A tenant never sees another tenant's runs, files or connections."""
from __future__ import annotations

from tests.augur.world import API, png_bytes

READ_PATHS = ("manifest.json", "trace.json", "steps/0000.json", "events/0000.jsonl", "events/run.jsonl",
              "screenshots/0000_post.png", "diagnostics/findings.json", "modelio/0000-planner-0.json",
              "logs/run.log", "files", "export.tar.gz")


def _fill(sdk, run_id, marker):
    assert sdk.post(f"{API}/runs", json={"run_id": run_id, "marker": marker}).status_code in (200, 201)
    sdk.put(f"{API}/runs/{run_id}/steps/0", json={"marker": marker})
    sdk.post(f"{API}/runs/{run_id}/events", json={"events": [{"marker": marker}], "step_index": 0})
    sdk.post(f"{API}/runs/{run_id}/events", json={"events": [{"marker": marker}]})
    sdk.post(f"{API}/runs/{run_id}/screenshots/0/post", files={"image": ("a.png", png_bytes(len(marker)), "image/png")})
    sdk.post(f"{API}/runs/{run_id}/modelio/0000-planner-0.json", json={"marker": marker})
    sdk.post(f"{API}/runs/{run_id}/logs", json={"text": marker})
    sdk.post(f"{API}/heartbeat", json={"client_id": f"client-{marker}"})


def test_tenants_do_not_see_each_other(augur):
    sdk_a, viewer_a = augur.workspace("acme")
    sdk_b, viewer_b = augur.workspace("globex")
    _fill(sdk_a, "only-a", "a")
    for path in READ_PATHS:
        assert viewer_a.get(f"{API}/runs/only-a/{path}").status_code == 200, path
        response = viewer_b.get(f"{API}/runs/only-a/{path}")
        assert response.status_code == 404, path
        assert set(response.json()) == {"detail"}
    assert viewer_b.get(f"{API}/runs").json()["total"] == 0
    assert viewer_b.get(f"{API}/connections").json()["connections"] == []
    assert [c["client_id"] for c in viewer_a.get(f"{API}/connections").json()["connections"]] == ["client-a"]


def test_same_run_id_in_two_tenants_stays_separate(augur):
    sdk_a, viewer_a = augur.workspace("acme")
    sdk_b, viewer_b = augur.workspace("globex")
    _fill(sdk_a, "shared", "from-a")
    _fill(sdk_b, "shared", "from-b")
    assert viewer_a.get(f"{API}/runs/shared/manifest.json").json()["marker"] == "from-a"
    assert viewer_b.get(f"{API}/runs/shared/manifest.json").json()["marker"] == "from-b"
    assert viewer_a.get(f"{API}/runs/shared/logs/run.log").text == "from-a"
    assert viewer_b.get(f"{API}/runs/shared/modelio/0000-planner-0.json").json() == {"marker": "from-b"}
    assert viewer_a.get(f"{API}/runs/shared/screenshots/0000_post.png").content == png_bytes(6)


def test_ingest_naming_another_tenants_run_opens_the_callers_own(augur):
    sdk_a, viewer_a = augur.workspace("acme")
    sdk_b, viewer_b = augur.workspace("globex")
    _fill(sdk_a, "only-a", "a")
    assert sdk_b.put(f"{API}/runs/only-a/steps/1", json={}).status_code == 200
    assert sdk_b.put(f"{API}/runs/only-a/trace", json={}).status_code == 200
    assert sdk_b.post(f"{API}/runs/only-a/logs", json={"text": "x"}).status_code == 200
    assert viewer_a.get(f"{API}/runs/only-a/steps/0001.json").status_code == 404
    assert viewer_a.get(f"{API}/runs/only-a/logs/run.log").text == "a"
    assert viewer_b.get(f"{API}/runs/only-a/manifest.json").json() == {"run_id": "only-a"}
    assert viewer_b.get(f"{API}/runs/only-a/steps/0001.json").status_code == 200
    assert viewer_b.get(f"{API}/runs/only-a/logs/run.log").text == "x"
