"""agtOS host operations: capabilities and dependencies as detected, Redis status and reconnect
against a real redis-server (and without REDIS_URL), install-redis without Docker, onboarding
reset."""
import os
import shutil

import pytest

from agentdeck.settings import reset_settings
from tests.support.redis_server import redis_server


@pytest.fixture
def no_tools_on_path(monkeypatch, tmp_path):
    """A PATH with none of docker, node, ollama, nvidia-smi."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_capabilities_are_what_the_host_has(local):
    body = local.get("/agtos/api/system/capabilities").json()
    assert body["cpu"]["cores"] == os.cpu_count()
    with open("/proc/meminfo") as fh:
        total_kb = int(fh.readline().split()[1])
    assert body["memory"]["totalMb"] == total_kb // 1024
    assert 0 < body["memory"]["availableMb"] <= body["memory"]["totalMb"]
    assert body["gpu"]["available"] is (shutil.which("nvidia-smi") is not None) or body["gpu"]["type"] == "rocm"
    assert body["ollama"] == {"available": False}  # OLLAMA_HOST points at a closed port
    assert body["docker"]["available"] in (True, False)


def test_capabilities_see_a_running_ollama(use_fake_ollama, local):
    assert local.get("/agtos/api/system/capabilities").json()["ollama"] == {"available": True}


def test_dependencies_without_any_tool(no_tools_on_path, local):
    assert local.get("/agtos/api/dependencies").json() == {
        "node": {"installed": False, "version": None,
                 "hint": "Install Node.js from https://nodejs.org (optional: agentdeck does not need it)"},
        "docker": {"installed": False, "running": False},
        "ollama": {"installed": False, "reachable": False},
        "redis": {"installed": False, "reachable": False},
        "sherpaModels": {"downloaded": 0, "total": 3}}


def test_install_redis_without_docker_is_the_documented_400(no_tools_on_path, local):
    response = local.post("/agtos/api/dependencies/install-redis")
    assert response.status_code == 400
    assert response.json() == {"error": "Docker is not running",
                               "hint": "Start Docker Desktop or run 'sudo systemctl start docker'"}


def test_redis_status_without_redis_url_says_so(local):
    assert local.get("/agtos/api/system/redis").json() == {
        "connected": False, "configured": False, "url": None, "version": None,
        "message": "REDIS_URL is not set: rate limits are counted in the database"}
    response = local.post("/agtos/api/system/redis/reconnect")
    assert response.status_code == 503
    assert response.json() == {"error": "Redis connection failed", "message": "REDIS_URL is not set"}


def test_redis_status_and_reconnect_against_a_real_redis(settings, monkeypatch):
    from starlette.testclient import TestClient

    from agentdeck.app import create_app

    with redis_server() as url:
        monkeypatch.setenv("REDIS_URL", url)
        reset_settings()
        with TestClient(create_app(), raise_server_exceptions=False, client=("127.0.0.1", 5000)) as local:
            status = local.get("/agtos/api/system/redis").json()
            assert status["connected"] is True and status["configured"] is True
            assert status["url"] == url and status["version"].split(".")[0].isdigit()
            assert local.post("/agtos/api/system/redis/reconnect").json() == {"reconnected": True,
                                                                              "services": ["rate-limits"]}
            assert local.get("/agtos/api/dependencies").json()["redis"] == {"installed": True, "reachable": True}
    # The server is gone: the status says so, and reconnecting is 503.
    with TestClient(create_app(), raise_server_exceptions=False, client=("127.0.0.1", 5000)) as local:
        status = local.get("/agtos/api/system/redis").json()
        assert status["connected"] is False and status["configured"] is True
        assert local.post("/agtos/api/system/redis/reconnect").status_code == 503


def test_onboarding_reset_gives_a_fresh_setup_token(local):
    before = local.get("/agtos/api/setup-token").json()["token"]
    assert local.post("/agtos/api/onboarding/reset").json() == {
        "success": True, "message": "Onboarding reset. Reload the app to re-run setup."}
    after = local.get("/agtos/api/setup-token").json()["token"]
    assert after != before


def test_a_remote_client_may_read_but_not_act_without_an_api_key(no_tools_on_path, remote):
    assert remote.get("/agtos/api/system/capabilities").status_code == 200
    for path in ("/agtos/api/dependencies/install-redis", "/agtos/api/system/redis/reconnect",
                 "/agtos/api/onboarding/reset"):
        assert remote.post(path).status_code == 403, path


def test_with_an_api_key_every_host_operation_needs_it(api_key, remote, no_tools_on_path):
    for method, path in (("GET", "/agtos/api/system/capabilities"), ("GET", "/agtos/api/dependencies"),
                         ("POST", "/agtos/api/dependencies/install-redis"), ("GET", "/agtos/api/system/redis"),
                         ("POST", "/agtos/api/system/redis/reconnect"), ("POST", "/agtos/api/onboarding/reset")):
        assert remote.request(method, path).status_code == 401, path
    assert remote.post("/agtos/api/onboarding/reset", headers=api_key).status_code == 200
