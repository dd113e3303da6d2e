"""Serve an ASGI app with uvicorn on 127.0.0.1 in a background thread, for tests.

Fake upstreams run as real HTTP servers (not mocked transports) so that the provider clients,
their connection pools and their cancellation behaviour are exercised exactly as in production.
"""
from __future__ import annotations

import socket
import threading
import time

import uvicorn


class LiveServer:
    """One uvicorn server on a free loopback port; ``url`` is its base URL once started."""

    def __init__(self, app, *, startup_timeout: float = 10.0):
        self.app = app
        self.startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        if self.port is None:
            raise RuntimeError("the server is not started")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LiveServer":
        """Bind a free port, serve in a daemon thread and wait until uvicorn accepts connections."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        # h11 and no lifespan: the fakes need no startup hooks, and h11 is always installed.
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", http="h11",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"fake-upstream-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake upstream did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread (open streams are cut after a second)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
