"""An app built with the official SDK (``@mentra/sdk``, pinned) runs whole sessions through agentdeck.

The SDK is installed with npm (``npm ci`` from ``sdk_app/package-lock.json``: the SDK and every
dependency pinned) once into a cache directory, and the app (``sdk_app/app.mjs``) runs
under Node on loopback, with every connection beyond loopback refused (``sdk_app/loopback_only.cjs``).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from agentdeck.storage.models.augmentos import AppSession
from agentdeck.storage.models.core import Delivery
from tests.handlers.augmentos.conftest import PACKAGE, USER
from tests.support.packages import install_debian_packages
from tests.support.postgres import free_port

SDK_VERSION = "2.1.29"
SDK_APP = Path(__file__).parent / "sdk_app"
SESSIONS = "/augmentos/api/app-sessions"
SESSION_ID = f"{USER}-{PACKAGE}"


def _cache_root() -> Path:
    base = os.environ.get("AGENTDECK_TEST_CACHE") or os.path.join(tempfile.gettempdir(), "agentdeck-test-cache")
    lock = hashlib.sha256((SDK_APP / "package-lock.json").read_bytes()).hexdigest()[:12]
    return Path(base) / f"mentra-sdk-{SDK_VERSION}-{lock}"


def _installed(root: Path) -> bool:
    manifest = root / "node_modules" / "@mentra" / "sdk" / "package.json"
    return manifest.is_file() and json.loads(manifest.read_text()).get("version") == SDK_VERSION


@pytest.fixture(scope="session")
def mentra_sdk() -> Path:
    """A folder with ``@mentra/sdk`` and its dependencies installed exactly as ``sdk_app``'s
    lockfile says (installed once per lockfile, then reused)."""
    if not shutil.which("npm") or not shutil.which("node"):
        install_debian_packages("nodejs", "npm")  # a fresh machine may lack them
    if not shutil.which("npm") or not shutil.which("node"):
        pytest.skip("npm and node are needed to run an app built with @mentra/sdk")
    root = _cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test runs install once
        if not _installed(root):
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(SDK_APP / name, root / name)
            done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                                  cwd=root, timeout=600, capture_output=True, text=True)
            if done.returncode:
                pytest.fail(f"npm could not install @mentra/sdk@{SDK_VERSION}:\n{done.stderr[-3000:]}")
    assert _installed(root), "npm did not install the pinned @mentra/sdk"
    return root


class SdkApp:
    """The SDK-built app running under Node: its URL and the events it reports on stdout."""

    def __init__(self, sdk: Path, log: Path, api_key: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {"PATH": os.environ["PATH"], "HOME": str(log.parent), "SDK_DIR": str(sdk), "PORT": str(self.port),
               "PACKAGE_NAME": PACKAGE, "API_KEY": api_key, "NODE_ENV": "test"}
        self.output = open(log, "wb")
        self.process = subprocess.Popen(
            ["node", "--require", str(SDK_APP / "loopback_only.cjs"), str(SDK_APP / "app.mjs")],
            cwd=sdk, env=env, stdout=self.output, stderr=subprocess.STDOUT)

    def events(self, name: str | None = None) -> list[dict]:
        lines = self.log.read_text(errors="replace").splitlines()
        found = [json.loads(line[3:]) for line in lines if line.startswith("@@ ")]
        return [e for e in found if name is None or e["event"] == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 20, **fields) -> dict:
        """The ``count``-th event called ``name`` with ``fields``, waiting for it to come."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            matching = [e for e in self.events(name) if all(e.get(k) == v for k, v in fields.items())]
            if len(matching) >= count:
                return matching[count - 1]
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"the app never reported {name} {fields}; its output:\n{self.log.read_text()[-4000:]}")

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.output.close()


@pytest.fixture
def sdk_app(mentra_sdk, app, tmp_path):
    from agentdeck.augmentos import apps

    # The app's key is known only once created, and the app's URL once its port is chosen.
    created, api_key = apps.create_app(PACKAGE, "Echo", description="Shows what it hears")
    running = SdkApp(mentra_sdk, tmp_path / "sdk-app.log", api_key)
    try:
        created.public_url = running.url
        created.save()
        apps.set_store_status(PACKAGE, "PUBLISHED")
        running.wait_for("listening")
        yield running
    finally:
        running.stop()


@pytest.fixture
def http(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as client:
        yield client


def _display(http, user_headers) -> dict:
    return http.get(f"{SESSIONS}/{SESSION_ID}/display", headers=user_headers).json()["data"]


def _wait_for_display(http, user_headers, text: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        main = _display(http, user_headers)["main"]
        if main and main["layout"].get("text") == text:
            return main
        time.sleep(0.05)
    raise AssertionError(f"the display never showed {text!r}: {_display(http, user_headers)}")


def _say(http, user_headers, text: str, is_final: bool = True) -> None:
    response = http.post(f"/augmentos/api/transcripts/{SESSION_ID}", headers=user_headers,
                         json={"segments": [{"text": text, "isFinal": is_final, "speakerId": "user1"}]})
    assert response.status_code == 201, response.text


def test_a_whole_session_start_transcripts_display_stop(sdk_app, http, user_headers):
    response = http.post(SESSIONS, json={"packageName": PACKAGE}, headers=user_headers)
    assert response.status_code == 201, response.text + sdk_app.log.read_text()[-3000:]
    assert response.json()["data"]["status"] == "active"
    assert sdk_app.wait_for("session")["userId"] == USER
    [delivery] = Delivery.select().where(Delivery.source == "augmentos.session_request")
    assert delivery.status == "delivered" and delivery.attempts == 1, "one start, one session request"

    _say(http, user_headers, "hello", is_final=False)
    assert sdk_app.wait_for("transcription", text="hello")["isFinal"] is False
    _say(http, user_headers, "hello there")
    sdk_app.wait_for("transcription", text="hello there", isFinal=True)
    main = _wait_for_display(http, user_headers, "heard: hello there")
    assert main["layout"]["layoutType"] == "text_wall" and main["durationMs"] == 3000

    response = http.post(f"{SESSIONS}/{SESSION_ID}/stop", headers=user_headers)
    assert response.status_code == 200 and response.json()["data"]["status"] == "stopped"
    assert sdk_app.wait_for("stopped")["reason"] == "user_disabled"
    output = sdk_app.log.read_text()
    assert "loopback_only: refused a connection to api.mentra.glass" in output, "the SDK's update check stayed offline"
    assert "refused a connection to 127.0.0.1" not in output


def test_a_wrong_api_key_is_refused(sdk_app, http, user_headers):
    from agentdeck.augmentos import apps

    apps.rotate_api_key(PACKAGE)  # the running app still holds the old key
    response = http.post(SESSIONS, json={"packageName": PACKAGE}, headers=user_headers)
    assert response.status_code == 502
    assert AppSession.get_by_id(SESSION_ID).status == "error"
    assert "Invalid API key" in sdk_app.log.read_text()
    assert sdk_app.events("session") == []


def test_a_dropped_socket_reconnects_and_the_session_carries_on(sdk_app, http, user_headers):
    assert http.post(SESSIONS, json={"packageName": PACKAGE}, headers=user_headers).status_code == 201
    sdk_app.wait_for("session")
    _say(http, user_headers, "before")
    _wait_for_display(http, user_headers, "heard: before")

    assert httpx.post(f"{sdk_app.url}/test/drop/{SESSION_ID}").json() == {"dropped": True}
    assert sdk_app.wait_for("disconnected")["code"] == 1006
    sdk_app.wait_for("connected", timeout=15)  # the SDK's own reconnect, after 1 s
    time.sleep(0.5)  # its subscription update follows the ack

    _say(http, user_headers, "after")
    _wait_for_display(http, user_headers, "heard: after")
    assert AppSession.get_by_id(SESSION_ID).status == "active"
