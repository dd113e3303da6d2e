"""Real servers on loopback for tests: agentdeck itself under uvicorn, and small receivers."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from tests.support.postgres import free_port

# A working directory for server subprocesses: `python -c` and `-m` put it first on the import
# path, and from the repository's root that imports the source tree's `agentdeck` folder
# instead of the installed package (which maps `agentdeck.storage` and the rest).
OUTSIDE_THE_SOURCE = tempfile.gettempdir()


class ThreadedServer:
    """Runs an ASGI app under uvicorn in a background thread on 127.0.0.1."""

    def __init__(self, app, port: int | None = None):
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=5)


class ServedURL(str):
    """A served base URL that also knows the ``agentdeck serve`` process (``.process``)."""

    process: subprocess.Popen


@contextlib.contextmanager
def agentdeck_serve(workers: int, env: dict, cwd, timeout: float = 120):
    """``agentdeck serve`` as an operator runs it, in a subprocess on a free loopback port, with
    ``env`` on top of this process's environment; yields the base URL once ``/healthz`` is 200
    (a ``ServedURL``: its ``process`` is the server's)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "agentdeck"), "serve", "--port", str(port),
               "--workers", str(workers)]
    server = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = ServedURL(f"http://127.0.0.1:{port}")
    url.process = server
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read().decode() if server.poll() is not None else ""
                raise RuntimeError(f"agentdeck serve did not start: {output[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
