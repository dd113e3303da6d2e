"""How ``agentdeck serve`` runs the ASGI app: uvicorn alone, or gunicorn with uvicorn workers.

Both use :class:`HeaderTimeoutProtocol`: uvicorn bounds how long an idle keep-alive connection
stays open, but not how long a client may take to send a request's headers, so a client sending
one header byte at a time (slowloris) held a connection forever. Body reads are bounded in
``agentdeck.middleware`` (408).

gunicorn is run in this process through its documented ``BaseApplication`` rather than as
``python -m gunicorn``: both ``-m`` and gunicorn's own command line put the working directory
first on the import path, so starting from a directory holding a folder named ``agentdeck``
imported that folder instead of the server.

Both also announce a stop to held requests (``agentdeck.stopping``): a long-poll answers at once
instead of holding the server's exit for its whole hold time.
"""
from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from agentdeck import stopping
from agentdeck.settings import get_settings

PROTOCOL = "agentdeck.serving:HeaderTimeoutProtocol"


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers take longer than
    ``AGENTDECK_HEADER_READ_TIMEOUT`` seconds (from the connection's opening or from the first
    byte of each request on a kept-alive connection)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._header_timeout = get_settings().header_read_timeout
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm_header_timer(self) -> None:
        if self._header_timer is None and self._header_timeout > 0:
            self._header_timer = self.loop.call_later(self._header_timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.logger.info("closing a connection whose request headers took over %gs", self._header_timeout)
            self.transport.close()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._disarm_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)


def announce_stops() -> None:
    """Make uvicorn's exit signal (in a single process or a gunicorn worker) also tell held
    requests to answer (``agentdeck.stopping``), so that they do not hold the stop. Idempotent."""
    import uvicorn.server

    original = uvicorn.server.Server.handle_exit
    if getattr(original, "_agentdeck_announces", False):
        return

    def handle_exit(self, sig, frame):
        stopping.begin()
        original(self, sig, frame)

    handle_exit._agentdeck_announces = True
    uvicorn.server.Server.handle_exit = handle_exit


def run_uvicorn(host: str, port: int, *, reload: bool, log_level: str) -> None:
    """One process: uvicorn serving ``agentdeck.asgi:app``."""
    import uvicorn

    announce_stops()

    uvicorn.run("agentdeck.asgi:app", host=host, port=port, reload=reload, log_level=log_level,
                proxy_headers=True, http=PROTOCOL, timeout_keep_alive=_keepalive())


def _keepalive() -> int:
    # Clients pool idle connections for a few seconds (httpx and Node.js 5 s, aiohttp 15 s); a
    # server that closes sooner (gunicorn's default is 2 s) races a client reusing one, which
    # then sees its request's connection closed without a response.
    return max(1, round(get_settings().keepalive_timeout))


def run_gunicorn(host: str, port: int, workers: int) -> None:
    """gunicorn's arbiter with ``workers`` uvicorn workers, in this process."""
    import warnings

    from gunicorn.app.base import BaseApplication

    with warnings.catch_warnings():  # the worker class moved to a separate package upstream
        warnings.simplefilter("ignore", DeprecationWarning)
        from uvicorn.workers import UvicornWorker

    class Worker(UvicornWorker):
        CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "http": PROTOCOL}

        def init_process(self):
            announce_stops()
            super().init_process()

    options = {"bind": f"{host}:{port}", "workers": workers, "worker_class": Worker,
               "graceful_timeout": 10, "timeout": 120, "keepalive": _keepalive()}

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from agentdeck.asgi import app

            return app

    Server().run()
