"""``agentdeck serve`` as an operator runs it: from any directory, one worker or several, with
connections that never finish their headers closed, and a data directory private to its user."""
from __future__ import annotations

import http.client
import socket
import stat
import time

import httpx
import pytest

from tests.support.servers import agentdeck_serve


@pytest.fixture(params=[1, 2], ids=["uvicorn", "gunicorn-2-workers"])
def served(request, tmp_path, settings):
    """``agentdeck serve`` started from a directory holding a folder named ``agentdeck``."""
    decoy = tmp_path / "cwd" / "agentdeck"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the working directory was imported')\n")
    env = {"AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_HEADER_READ_TIMEOUT": "1",
           "AGENTDECK_LOG_LEVEL": "WARNING"}
    with agentdeck_serve(request.param, env, cwd=decoy.parent) as url:
        yield int(url.rpartition(":")[2]), tmp_path / "data"


def _closed_within(conn: socket.socket, seconds: float) -> bool:
    conn.settimeout(seconds)
    try:
        return conn.recv(1024) == b""
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


def test_serve_starts_from_anywhere_and_closes_slow_headers(served):
    port, _ = served
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never finished
    silent = socket.create_connection(("127.0.0.1", port))  # nothing sent at all
    started = time.monotonic()
    assert _closed_within(slow, 5) and _closed_within(silent, 5)
    assert time.monotonic() - started < 5
    # A client that does finish its headers in time is served as before, on a kept-alive connection.
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(0.5)
        assert client.get("/surfaces").status_code == 200


def test_the_data_directory_is_private(served):
    _, data = served
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.rglob("*"):
        if path.is_file() and not path.name.endswith(".db") or path.suffix == ".db":
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_an_idle_kept_alive_connection_outlasts_the_clients_own_pool_expiry(served):
    """Clients keep idle connections for about 5 s; the server must not close them first, or a
    request sent as it closes one is lost without a response."""
    port, _ = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for pause in (0, 6):
        time.sleep(pause)
        conn.request("GET", "/healthz")  # http.client reuses the one socket, never reconnects
        response = conn.getresponse()
        assert response.status == 200 and response.read()
    conn.close()
