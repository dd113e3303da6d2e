"""``agentdeck serve`` for the owlette benches: owlette only, in a fresh data directory, with one
global admin and one site made by the CLI, as an operator would."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import httpx

AGENTDECK = os.path.join(os.path.dirname(sys.executable), "agentdeck")
EMAIL, PASSWORD = "bench@example.com", "bench-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_owlette(workers: int, data_dir: str, site: str, extra_env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """The server process and the surface's base URL (``http://127.0.0.1:<port>/owlette``)."""
    env = {**os.environ, "AGENTDECK_DATA_DIR": data_dir, "AGENTDECK_SURFACES": "owlette",
           "AGENTDECK_LOG_LEVEL": "WARNING", **(extra_env or {})}
    for args in (["user-create", EMAIL, "--password", PASSWORD, "--admin"],
                 ["site-create", site, "--owner", EMAIL]):
        subprocess.run([AGENTDECK, "owlette", *args], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([AGENTDECK, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return server, base + "/owlette"
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("agentdeck serve did not start")


@contextlib.contextmanager
def served_owlette(workers: int, site: str, extra_env: dict | None = None):
    """``start_owlette`` in a fresh data directory; yields ``(server, base)``, then stops the
    server and removes the directory."""
    data_dir = tempfile.mkdtemp(prefix="owlette-bench-")
    server, base = start_owlette(workers, data_dir, site, extra_env)
    try:
        yield server, base
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
