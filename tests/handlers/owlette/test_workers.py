"""Rate limits and revocation across two gunicorn workers: counted in the shared database."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.postgres import free_port

AGENTDECK = str(Path(sys.executable).parent / "agentdeck")


@pytest.fixture
def two_workers(tmp_path, settings):
    """``agentdeck serve --workers 2`` serving owlette, with one user made by the CLI."""
    port = free_port()
    env = {**os.environ, "AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_SURFACES": "owlette",
           "AGENTDECK_LOG_LEVEL": "WARNING"}
    subprocess.run([AGENTDECK, "owlette", "user-create", "ada@example.com", "--password", "s3cret-pass"],
                   env=env, check=True, capture_output=True)
    server = subprocess.Popen([AGENTDECK, "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/owlette"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("agentdeck serve did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)


def _fresh_connection_post(url, **kwargs):
    # A new connection each time, so that requests land on either worker.
    with httpx.Client() as client:
        return client.post(url, **kwargs)


def test_sign_in_limit_holds_across_workers_and_sign_out_is_seen_by_both(two_workers):
    sign_in = f"{two_workers}/api/auth/session"
    body = {"email": "ada@example.com", "password": "s3cret-pass"}
    answers = [_fresh_connection_post(sign_in, json=body) for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert answers[10].status_code == 429 and answers[10].json()["retryAfter"] > 0
    cookie = answers[0].cookies["__session"]
    with httpx.Client() as client:
        client.delete(sign_in, cookies={"__session": cookie})
    for _ in range(6):
        with httpx.Client() as client:
            assert client.get(f"{two_workers}/api/admin/sites", cookies={"__session": cookie}).status_code == 401
