"""Root, health, version, docs and smoke tests."""
import time

import pytest


def test_root_points_below_the_mount(amp):
    body = amp.get("/").json()
    assert body == {"service": "Amplifier App api", "version": "0.4.0",
                    "description": "REST API service for Amplifier AI development platform",
                    "docs": "/amplifier/docs", "health": "/amplifier/health"}


def test_health_reports_uptime_and_database(amp):
    body = amp.get("/health").json()
    assert body["status"] == "healthy" and body["database_connected"] is True
    assert body["uptime"].startswith("Days: ") and "Seconds: " in body["uptime"]


def test_version(amp):
    body = amp.get("/version").json()
    assert body["service_version"] == "0.4.0" and body["amplifier_core_version"] is None


def test_interactive_docs_under_the_mount(amp):
    spec = amp.get("/openapi.json").json()
    assert len([op for item in spec["paths"].values() for op in item if op in {"get", "post", "put", "delete"}]) == 24
    assert not any(p.startswith(("/bundles", "/tools", "/providers")) for p in spec["paths"])
    assert amp.get("/docs/").status_code == 200
    redoc = amp.get("/redoc")
    assert redoc.headers["content-type"].startswith("text/html") and "/amplifier/openapi.json" in redoc.text


def test_quick_smoke_tests_run_the_seven_checks_for_real_and_clean_up(amp):
    started = time.monotonic()
    body = amp.get("/smoke-tests/quick").json()
    assert time.monotonic() - started < 5
    assert [t["name"] for t in body["tests"]] == [
        "health_endpoint", "database_connectivity", "sessions_endpoint", "config_endpoint",
        "bundles_endpoint", "applications_endpoint", "application_registration"]
    assert body["success"] is True and (body["passed"], body["failed"], body["total"]) == (7, 0, 7)
    assert amp.get("/configs").json()["total"] == 0
    assert amp.get("/sessions").json()["total"] == 0
    assert amp.get("/applications").json() == []


def test_quick_smoke_tests_report_a_broken_part(amp, monkeypatch):
    from agentdeck.amplifier import quick_checks

    monkeypatch.setattr(quick_checks, "installed_providers", lambda: [])
    body = amp.get("/smoke-tests/quick").json()
    assert body["success"] is False and body["failed"] == 1
    failed = [t for t in body["tests"] if not t["passed"]]
    assert failed[0]["name"] == "bundles_endpoint" and "echo" in failed[0]["error"]


def test_full_smoke_tests_run_the_bundled_files_in_a_subprocess(amp):
    body = amp.get("/smoke-tests").json()
    assert body["success"] is True, body
    assert body["exit_code"] == 0 and body["summary"]["failed"] == 0
    assert body["summary"]["passed"] == body["summary"]["total"] >= 8
    assert "passed" in body["stdout"]


@pytest.mark.parametrize("pattern", ["../../conftest.py", "/etc/passwd", "sub/test_smoke.py", ".hidden",
                                     "test_nothing*.py"])
def test_pattern_is_restricted_to_the_bundled_files(amp, pattern):
    response = amp.get("/smoke-tests", params={"pattern": pattern})
    assert response.status_code == 400 and isinstance(response.json()["detail"], str)


def test_smoke_run_timeout_is_reported(amp, monkeypatch):
    from agentdeck.amplifier import smoke_runner

    monkeypatch.setattr(smoke_runner, "TIMEOUT", 0.05)
    body = amp.get("/smoke-tests", params={"verbose": True}).json()
    assert body["success"] is False and body["exit_code"] == -1 and "timed out" in body["error"]
