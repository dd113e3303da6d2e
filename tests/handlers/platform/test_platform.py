"""The platform API at the root, as an operator or Prometheus sees it."""


def test_healthz_reports_database_and_surfaces(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert response.headers["x-request-id"]


def test_request_id_from_client_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def test_generated_request_ids_are_distinct_across_requests_and_worker_processes(client):
    import os

    from agentdeck.middleware import _new_request_id

    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(20)}
    assert len(ids) == 20 and all(len(value) == 16 for value in ids)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a forked worker: its ids must not repeat the parent's
        os.write(write, _new_request_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    assert len(child) == 16 and child[:8] != _new_request_id()[:8]


def test_metrics_count_requests_by_operation(client):
    client.get("/surfaces")
    text = client.get("/metrics").text
    assert 'operation="platform.catalog.list_surfaces"' in text
    assert "agentdeck_http_request_duration_seconds_bucket" in text


def test_unknown_path_is_problem_json(client):
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_access_metrics_name_the_operation_on_a_real_server(live_server):
    import httpx

    httpx.get(f"{live_server}/surfaces")
    text = httpx.get(f"{live_server}/metrics").text
    assert 'operation="platform.catalog.list_surfaces",status="200",surface="platform"' in text


def test_oversized_bodies_are_413_in_the_surface_shape(settings, monkeypatch):
    from starlette.testclient import TestClient

    from agentdeck.app import create_app
    from agentdeck.settings import reset_settings

    monkeypatch.setenv("AGENTDECK_MAX_BODY_BYTES", "1000")
    monkeypatch.setenv("AGENTDECK_SURFACES", "augmentos")
    reset_settings()
    with TestClient(create_app()) as client:
        response = client.post("/augmentos/api/error-report", json={"x": "y" * 2000})
        assert response.status_code == 413
        assert response.json() == {"success": False, "error": "Request body is larger than 1000 bytes"}
