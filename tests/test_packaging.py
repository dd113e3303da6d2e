"""The wheel built from this repository installs into a clean virtualenv and serves."""
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(os.environ.get("AGENTDECK_TEST_DB") == "postgres", reason="packaging is checked once, in the SQLite run")
def test_wheel_installs_into_clean_venv_and_serves(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = wheels.glob("agentdeck-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True)
    # Nothing generic may land at the top of site-packages: only the agentdeck namespace.
    site = next((venv / "lib").glob("python*/site-packages"))
    for generic in ("handlers", "plugins", "storage", "openapi"):
        assert not (site / generic).exists(), f"{generic} installed at top level"

    port = free_port()
    env = {**os.environ, "AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([str(venv / "bin" / "agentdeck"), "serve", "--port", str(port)], env=env,
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/healthz")
        assert health.json()["status"] == "ok"
        apps = httpx.get(f"http://127.0.0.1:{port}/augmentos/api/apps/public")
        assert apps.json() == {"success": True, "data": []}
        assert (tmp_path / "data" / "agentdeck.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(url):
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
