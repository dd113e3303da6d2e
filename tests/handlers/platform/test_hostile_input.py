"""Input an attacker (or a careless client) sends gets the surface's own 4xx, never a 500, on
every surface; a slow or chunked body is handled the way HTTP says."""
from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.augur.world import API, augur, png_bytes  # noqa: F401  (fixture)

TOO_LONG_INT = b'{"run_id": "r1", "name": "n", "x": ' + b"1" * 5000 + b"}"
TOO_DEEP = b'{"run_id": "r1", "name": "n", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
DEEP_UNDER_THE_RECURSION_LIMIT = b'{"run_id": "r1", "name": "n", "x": ' + b"[" * 900 + b"]" * 900 + b"}"
LONE_SURROGATE = b'{"run_id": "r1", "name": "\\ud800", "yaml_content": "a: \\udfff"}'
NAN = b'{"run_id": "r1", "name": "n", "x": NaN}'

# (url, error body check): one JSON endpoint per surface, each with its own error shape.
JSON_ENDPOINTS = [
    (f"{API}/runs", lambda body: isinstance(body["detail"], str)),
    ("/amplifier/configs", lambda body: body["detail"][0]["loc"] == ["body"]),
    ("/augmentos/api/error-report", lambda body: body["success"] is False and body["error"]),
]


@pytest.fixture(autouse=True)
def only_augur():
    """Every surface is served here (the Augur helpers' fixture would serve Augur alone)."""


@pytest.fixture
def dsn(augur):
    return augur.dsn_key(augur.tenant("acme"))


@pytest.mark.parametrize("payload", [TOO_LONG_INT, TOO_DEEP, DEEP_UNDER_THE_RECURSION_LIMIT,
                                     LONE_SURROGATE, NAN],
                         ids=["4300-digit-int", "5000-deep", "900-deep", "lone-surrogate", "NaN"])
@pytest.mark.parametrize("url,shaped", JSON_ENDPOINTS, ids=["augur", "amplifier", "augmentos"])
def test_json_python_cannot_take_is_a_client_error(client, dsn, url, shaped, payload):
    response = client.post(url, content=payload, headers={
        "content-type": "application/json", "authorization": f"Bearer {dsn}"})
    assert 400 <= response.status_code < 500, response.text
    assert shaped(response.json())


def test_nesting_within_the_limit_is_accepted(client, dsn):
    nested = {"run_id": "deep-ok", "x": []}
    inner = nested["x"]
    for _ in range(100):
        inner.append([])
        inner = inner[0]
    response = client.post(f"{API}/runs", json=nested, headers={"authorization": f"Bearer {dsn}"})
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize("method,url", [
    ("POST", f"{API}/runs"),
    ("PUT", f"{API}/runs/r1/steps/0"),
    ("POST", f"{API}/runs/r1/modelio/0001-planner-0.json"),
    ("POST", "/augmentos/api/error-report"),
    ("POST", "/amplifier/configs"),
])
def test_a_body_without_content_type_is_415(client, dsn, method, url):
    response = client.request(method, url, content=b'{"run_id": "r1"}',
                              headers={"authorization": f"Bearer {dsn}"})
    assert response.status_code == 415, response.text
    assert "Content-Type" in response.text


def test_malformed_multipart_is_augurs_invalid_payload_422(client, dsn):
    response = client.post(f"{API}/runs/r1/screenshots/0/post", content=b"--x\r\nnot a part",
                           headers={"authorization": f"Bearer {dsn}",
                                    "content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], str)
    good = client.post(f"{API}/runs/r1/screenshots/0/post",
                       files={"image": ("s.png", png_bytes(), "image/png")},
                       headers={"authorization": f"Bearer {dsn}"})
    assert good.status_code == 201, good.text


@pytest.mark.parametrize("cookie", ["augur_session=x; $Foo=1", "a=b; httponly=x; $x"])
def test_a_malformed_cookie_header_is_401(client, cookie):
    response = client.get(f"{API}/runs", headers={"cookie": cookie})
    assert response.status_code == 401, response.text
    assert response.json()["detail"]


# --- on a real server: chunked and slow bodies ---------------------------------------------------

def _chunks(*parts: bytes):
    yield from parts


def test_a_small_chunked_body_is_accepted(live_server, dsn):
    response = httpx.post(f"{live_server}{API}/runs", headers={
        "authorization": f"Bearer {dsn}", "content-type": "application/json"},
        content=_chunks(b'{"run_id": "chunked",', b' "task": "t"}'))
    assert response.status_code in (200, 201), response.text
    listed = httpx.get(f"{live_server}/augmentos/api/error-report")  # the server is still fine
    assert listed.status_code < 500


def test_an_oversized_chunked_body_is_413(settings, monkeypatch, augur):
    from agentdeck.app import create_app
    from agentdeck.settings import reset_settings
    from tests.support.servers import ThreadedServer

    monkeypatch.setenv("AGENTDECK_MAX_BODY_BYTES", "1000")
    reset_settings()
    with ThreadedServer(create_app()) as server:
        response = httpx.post(f"{server.url}/augmentos/api/error-report",
                              headers={"content-type": "application/json"},
                              content=_chunks(b'{"x": "', b"y" * 600, b"y" * 600, b'"}'))
    assert response.status_code == 413
    assert response.json() == {"success": False, "error": "Request body is larger than 1000 bytes"}


def _raw(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def test_a_body_shorter_than_its_content_length_times_out_with_408(settings, monkeypatch):
    from agentdeck.app import create_app
    from agentdeck.settings import reset_settings
    from tests.support.servers import ThreadedServer

    monkeypatch.setenv("AGENTDECK_BODY_READ_TIMEOUT", "0.5")
    reset_settings()
    with ThreadedServer(create_app()) as server:
        conn = _raw(server.url)
        started = time.monotonic()
        conn.sendall(b"POST /augmentos/api/error-report HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"x\": ")
        answer = conn.recv(65536)
        conn.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"success": false' in answer
    assert time.monotonic() - started < 5


def test_a_method_the_named_path_lacks_is_405_even_when_a_template_path_takes_it(client):
    """`DELETE /api/credentials/validate` matches `DELETE /api/credentials/{providerId}` only by
    its template; the path the client named has POST alone."""
    from agentdeck.agtos.platform.setup_token import current_token

    response = client.delete("/agtos/api/credentials/validate", headers={"X-Setup-Token": current_token()})
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"
    assert response.json() == {"error": "Method Not Allowed"}
