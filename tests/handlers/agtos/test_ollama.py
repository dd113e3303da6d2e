"""agtOS Ollama operations against the loopback fake Ollama (and a real `ollama serve` stand-in
on PATH for start)."""
import json
import os
import stat
import sys

import pytest

from agentdeck.agtos.ollama import service
from tests.support.postgres import free_port


def events(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]


@pytest.fixture
def no_ollama_on_path(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_status_when_ollama_runs(use_fake_ollama, local):
    body = local.get("/agtos/api/ollama/status").json()
    assert body == {"installed": True, "running": True, "version": "0.5.7", "hint": None,
                    "models": [{"name": "llama-fake:latest", "size": 2019393189, "digest": "sha256:fake"},
                               {"name": "qwen-fake:8b", "size": 2019393189, "digest": "sha256:fake"}]}


def test_status_when_ollama_is_not_installed(no_ollama_on_path, local):
    assert local.get("/agtos/api/ollama/status").json() == {
        "installed": False, "running": False, "version": None, "models": [],
        "hint": "Install Ollama from https://ollama.com"}


def test_models_are_listed_with_their_details(use_fake_ollama, local):
    body = local.get("/agtos/api/ollama/models").json()
    assert body["count"] == 2
    assert body["models"][1] == {"name": "qwen-fake:8b", "model": "qwen-fake:8b", "size": 2019393189,
                                 "digest": "sha256:fake", "family": "qwen3", "parameterSize": "3.2B",
                                 "quantization": "Q4_K_M"}


def test_models_and_pull_are_503_when_ollama_does_not_answer(local):
    assert local.get("/agtos/api/ollama/models").json() == {"error": "Ollama not reachable"}
    assert local.get("/agtos/api/ollama/models").status_code == 503
    response = local.post("/agtos/api/ollama/pull", json={"model": "qwen3:7b"})
    assert response.status_code == 503
    assert response.json() == {"error": "Ollama not reachable"}


def test_a_pull_maps_ollamas_stream_to_progress_then_complete(use_fake_ollama, local):
    got = events(local.post("/agtos/api/ollama/pull", json={"model": "tiny:1b"}))
    assert got[0] == {"type": "progress", "modelId": "tiny:1b", "status": "pulling manifest"}
    layer = [e for e in got if e.get("digest") == "sha256:aaaa"]
    assert [e["percent"] for e in layer] == [0, 25, 50, 75, 100]
    assert layer[2] == {"type": "progress", "modelId": "tiny:1b", "status": "pulling aaaa", "digest": "sha256:aaaa",
                        "total": 4000, "completed": 2000, "percent": 50}
    assert got[-1]["type"] == "complete" and isinstance(got[-1]["durationMs"], int)
    assert use_fake_ollama.last_request.json == {"model": "tiny:1b", "stream": True}
    names = [m["name"] for m in local.get("/agtos/api/ollama/models").json()["models"]]
    assert "tiny:1b" in names


def test_ollamas_refusal_is_an_error_event(use_fake_ollama, local):
    got = events(local.post("/agtos/api/ollama/pull", json={"model": "missing:latest"}))
    assert got[-1] == {"type": "error", "modelId": "missing:latest",
                       "error": "pull model manifest: file does not exist", "retryable": False}


def test_a_bad_model_name_is_400(use_fake_ollama, local):
    for name in ("", "-x", "a b", "x" * 201):
        response = local.post("/agtos/api/ollama/pull", json={"model": name})
        assert response.status_code == 400, name
        assert isinstance(response.json()["error"], str), name  # agtOS's error shape
    assert local.post("/agtos/api/ollama/pull", json={}).status_code == 400


def test_start_when_running_says_so(use_fake_ollama, local):
    assert local.post("/agtos/api/ollama/start").json() == {"started": True, "alreadyRunning": True}


def test_start_without_ollama_installed_is_the_documented_500(no_ollama_on_path, local):
    response = local.post("/agtos/api/ollama/start")
    assert response.status_code == 500
    assert response.json() == {"error": "Failed to start Ollama",
                               "message": "Ollama is not installed. Install Ollama from https://ollama.com"}


def test_start_runs_ollama_serve(local, tmp_path, monkeypatch, allow_private_outbound):
    """An `ollama` on PATH whose `serve` runs the fake Ollama on OLLAMA_HOST's port."""
    port = free_port()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "ollama"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    script.write_text(f"#!/bin/sh\n[ \"$1\" = serve ] || exit 2\ncd {root}\n"
                      f"exec {sys.executable} -m tests.upstreams ollama --port {port}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{port}")
    try:
        response = local.post("/agtos/api/ollama/start")
        assert response.status_code == 200, response.text
        assert response.json() == {"started": True}
        assert local.get("/agtos/api/ollama/status").json()["running"] is True
    finally:
        for process in service._started:
            process.terminate()
            process.wait(timeout=10)
        service._started.clear()


def test_a_remote_client_may_read_but_not_pull_or_start_without_an_api_key(use_fake_ollama, remote):
    assert remote.get("/agtos/api/ollama/status").status_code == 200
    assert remote.post("/agtos/api/ollama/pull", json={"model": "tiny:1b"}).status_code == 403
    assert remote.post("/agtos/api/ollama/start").status_code == 403


def test_with_an_api_key_every_ollama_operation_needs_it(use_fake_ollama, api_key, remote):
    for method, path, body in (("GET", "/agtos/api/ollama/status", None), ("GET", "/agtos/api/ollama/models", None),
                               ("POST", "/agtos/api/ollama/pull", {"model": "tiny:1b"}),
                               ("POST", "/agtos/api/ollama/start", None)):
        assert remote.request(method, path, json=body).status_code == 401, path
    assert remote.get("/agtos/api/ollama/models", headers=api_key).status_code == 200
