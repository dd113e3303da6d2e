"""agtOS model registry over HTTP: the catalog, downloads streamed as SSE from a loopback file
server (verified, resumed, corrupt), status, delete and delete all."""
import hashlib
import json
import os

import pytest
import yaml

from agentdeck.settings import reset_settings

from tests.agtos.models.fileserver import FileServer

BLOB = os.urandom(3 * 1024 * 1024 + 123)
SMALL = b"tiny model bytes" * 100


@pytest.fixture
def files():
    server = FileServer()
    server.files = {"/stt.onnx": BLOB, "/vad.onnx": SMALL, "/bad.onnx": SMALL}
    yield server
    server.close()


@pytest.fixture
def catalog(settings, files, tmp_path, monkeypatch):
    """A catalog of three models on the loopback file server (one whose checksum is wrong)."""
    models = [
        {"id": "stt-test", "name": "STT test", "description": "d", "type": "stt", "family": "moonshine",
         "format": "onnx", "sizeBytes": len(BLOB), "url": f"{files.url}/stt.onnx",
         "sha256": hashlib.sha256(BLOB).hexdigest()},
        {"id": "vad-test", "name": "VAD test", "description": "d", "type": "vad", "family": "silero",
         "format": "onnx", "sizeBytes": 10, "url": f"{files.url}/vad.onnx",
         "sha256": hashlib.sha256(SMALL).hexdigest()},
        {"id": "corrupt", "name": "Corrupt", "description": "d", "type": "tts", "family": "kokoro",
         "format": "onnx", "sizeBytes": len(SMALL), "url": f"{files.url}/bad.onnx", "sha256": "0" * 64},
    ]
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"models": models}))
    monkeypatch.setenv("AGENTDECK_AGTOS_MODEL_CATALOG", str(path))
    return path


def events(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]


def test_the_shipped_catalog_is_listed(local):
    body = local.get("/agtos/api/models").json()
    assert body["totalCount"] == len(body["models"]) >= 3
    assert body["downloadedCount"] == 0
    first = body["models"][0]
    assert first == {"id": "moonshine-tiny-en-v2", "name": "Moonshine Tiny (English)",
                     "description": "Lightweight STT model", "type": "stt", "family": "moonshine",
                     "sizeBytes": 48000000, "sizeMb": 45.8, "downloaded": False, "downloading": False,
                     "format": "onnx"}


def test_a_shipped_model_without_a_pinned_checksum_is_not_downloaded(local):
    response = local.post("/agtos/api/models/download", json={"modelId": "kokoro-int8-multi-v1"})
    assert response.status_code == 400
    assert response.json() == {"error": "Model has no pinned sha256 in the catalog", "modelId": "kokoro-int8-multi-v1"}


def test_the_shipped_speech_and_vad_models_are_pinned(local):
    from agentdeck.agtos.models import catalog

    pinned = {model_id: model.sha256 for model_id, model in catalog.load().items()}
    assert pinned["silero-vad-v5"] == "9e2449e1087496d8d4caba907f23e0bd3f78d91fa552479bb9c23ac09cbb1fd6"
    assert len(pinned["moonshine-tiny-en-v2"]) == 64


def test_a_download_streams_progress_then_complete_and_the_model_counts(catalog, local):
    got = events(local.post("/agtos/api/models/download", json={"modelId": "stt-test"}))
    assert got[0] == {"type": "progress", "modelId": "stt-test", "downloaded": 0, "total": len(BLOB), "percent": 0}
    assert got[-2] == {"type": "progress", "modelId": "stt-test", "downloaded": len(BLOB), "total": len(BLOB),
                       "percent": 100}
    assert got[-1]["type"] == "complete" and got[-1]["modelId"] == "stt-test"
    assert isinstance(got[-1]["durationMs"], int)
    assert all(e["type"] == "progress" for e in got[:-1])
    status = local.get("/agtos/api/models/stt-test").json()
    assert status["downloaded"] is True and status["downloading"] is False
    assert status["sizeBytes"] == len(BLOB)
    with open(os.path.join(status["path"], "stt.onnx"), "rb") as fh:
        assert fh.read() == BLOB
    listed = local.get("/agtos/api/models").json()
    assert listed["downloadedCount"] == 1
    again = events(local.post("/agtos/api/models/download", json={"modelId": "stt-test"}))
    assert again == [{"type": "complete", "modelId": "stt-test", "durationMs": 0, "alreadyDownloaded": True}]


def test_a_corrupt_download_is_an_error_and_leaves_no_file(catalog, local):
    got = events(local.post("/agtos/api/models/download", json={"modelId": "corrupt"}))
    assert got[-1]["type"] == "error"
    assert got[-1]["error"].startswith("Checksum mismatch: expected sha256 " + "0" * 64)
    assert got[-1]["retryable"] is True
    status = local.get("/agtos/api/models/corrupt").json()
    assert status["downloaded"] is False
    assert not os.path.exists(status["path"])
    assert not os.listdir(os.path.join(os.path.dirname(status["path"]), ".partial")) or all(
        name.endswith(".lock") for name in os.listdir(os.path.join(os.path.dirname(status["path"]), ".partial")))


def test_an_interrupted_download_is_retryable_and_resumes_where_it_stopped(catalog, files, local):
    files.cut_after = 1024 * 1024
    first = events(local.post("/agtos/api/models/download", json={"modelId": "stt-test"}))
    assert first[-1] == {"type": "error", "modelId": "stt-test",
                         "error": "Download failed: the connection closed early", "retryable": True}
    assert local.get("/agtos/api/models/stt-test").json()["downloaded"] is False
    second = events(local.post("/agtos/api/models/download", json={"modelId": "stt-test"}))
    assert files.ranges[-1] == f"bytes={1024 * 1024}-"
    assert second[0]["downloaded"] == 1024 * 1024 and second[0]["total"] == len(BLOB)
    assert second[-1]["type"] == "complete"
    path = local.get("/agtos/api/models/stt-test").json()["path"]
    with open(os.path.join(path, "stt.onnx"), "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(BLOB).hexdigest()


def test_a_server_that_ignores_range_sends_it_whole_again(catalog, files, local):
    files.cut_after = 5000
    events(local.post("/agtos/api/models/download", json={"modelId": "stt-test"}))
    files.ignore_range = True
    got = events(local.post("/agtos/api/models/download", json={"modelId": "stt-test"}))
    assert got[0]["downloaded"] == 0
    assert got[-1]["type"] == "complete"


def test_a_missing_file_upstream_is_a_non_retryable_error(catalog, files, local):
    files.files.pop("/vad.onnx")
    got = events(local.post("/agtos/api/models/download", json={"modelId": "vad-test"}))
    assert got == [{"type": "error", "modelId": "vad-test", "error": "Download failed: HTTP 404", "retryable": False}]


def test_a_loopback_url_is_refused_by_the_outbound_guard(catalog, local, monkeypatch):
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "false")
    reset_settings()
    got = events(local.post("/agtos/api/models/download", json={"modelId": "vad-test"}))
    assert got[-1]["type"] == "error" and got[-1]["retryable"] is False
    assert got[-1]["error"].startswith("Download refused:")


def test_unknown_models(catalog, local):
    response = local.post("/agtos/api/models/download", json={"modelId": "nope"})
    assert response.status_code == 400
    assert response.json() == {"error": "Unknown model ID", "modelId": "nope"}
    assert local.get("/agtos/api/models/nope").status_code == 404
    assert local.delete("/agtos/api/models/nope").json() == {"error": "Model not found or not downloaded",
                                                             "modelId": "nope"}
    assert local.post("/agtos/api/models/download", json={}).status_code == 400


def test_delete_one_and_delete_all(catalog, local):
    events(local.post("/agtos/api/models/download", json={"modelId": "stt-test"}))
    events(local.post("/agtos/api/models/download", json={"modelId": "vad-test"}))
    assert local.delete("/agtos/api/models/vad-test").json() == {"success": True, "modelId": "vad-test"}
    assert local.delete("/agtos/api/models/vad-test").status_code == 404
    assert local.delete("/agtos/api/models").json() == {"success": True, "removed": ["stt-test"], "count": 1}
    assert local.get("/agtos/api/models").json()["downloadedCount"] == 0


def test_an_invalid_catalog_is_a_clear_500(settings, tmp_path, monkeypatch, local):
    path = tmp_path / "bad.yaml"
    path.write_text("models:\n  - {id: x, name: X, type: stt, family: f, format: onnx, sizeBytes: 1, url: ftp://x}\n")
    monkeypatch.setenv("AGENTDECK_AGTOS_MODEL_CATALOG", str(path))
    reset_settings()
    response = local.get("/agtos/api/models")
    assert response.status_code == 500
    assert response.json()["error"] == "Model catalog unusable"
    assert "`url` must be http or https" in response.json()["message"]


def test_a_remote_client_may_list_but_not_change_models_without_an_api_key(catalog, remote):
    assert remote.get("/agtos/api/models").status_code == 200
    for method, path, body in (("POST", "/agtos/api/models/download", {"modelId": "vad-test"}),
                               ("DELETE", "/agtos/api/models/vad-test", None), ("DELETE", "/agtos/api/models", None)):
        assert remote.request(method, path, json=body).status_code == 403, path


def test_with_an_api_key_every_model_operation_needs_it(catalog, api_key, remote):
    for method, path, body in (("GET", "/agtos/api/models", None), ("GET", "/agtos/api/models/vad-test", None),
                               ("POST", "/agtos/api/models/download", {"modelId": "vad-test"}),
                               ("DELETE", "/agtos/api/models/vad-test", None), ("DELETE", "/agtos/api/models", None)):
        assert remote.request(method, path, json=body).status_code == 401, path
    got = events(remote.post("/agtos/api/models/download", json={"modelId": "vad-test"}, headers=api_key))
    assert got[-1]["type"] == "complete"
