"""A small owlette agent for tests and benches: exchanges a registration code for tokens, then
loops heartbeat → long-poll commands → answer each, as the real agent does against agentdeck.

``handlers`` maps a command type to ``fn(data) -> result`` (raise to report a failure); commands
without a handler complete with ``{"echo": data}``. Every command received is kept in
``received`` (with duplicates, since delivery is at least once) and the ids answered in ``done``.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

import httpx


class ReferenceAgent:
    """One machine's agent against ``base`` (e.g. ``http://127.0.0.1:8000/owlette``)."""

    def __init__(self, base: str, machine_id: str, *, version: str = "2.1.8", poll_wait: float = 5.0,
                 handlers: dict[str, Callable[[dict], object]] | None = None, transport=None):
        self.base = base.rstrip("/")
        self.machine_id = machine_id
        self.version = version
        self.poll_wait = poll_wait
        self.handlers = dict(handlers or {})
        self.http = httpx.Client(base_url=self.base, timeout=poll_wait + 30, transport=transport)
        self.site_id: str | None = None
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.received: list[dict] = []
        self.done: list[str] = []
        self.config: dict | None = None
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one step at a time --------------------------------------------------------------------

    def enrol(self, registration_code: str) -> None:
        """Exchange a registration code for tokens."""
        answer = self.http.post("/api/agent/auth/exchange", json={
            "registrationCode": registration_code, "machineId": self.machine_id, "version": self.version})
        answer.raise_for_status()
        body = answer.json()
        self.site_id, self.access_token, self.refresh_token = body["siteId"], body["accessToken"], body["refreshToken"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.access_token}"}

    def heartbeat(self, online: bool = True) -> dict:
        """Send a heartbeat with a few metrics and the configured processes as running."""
        processes = {p["id"]: {"name": p["name"], "status": "RUNNING", "pid": 1000 + i, "responsive": True,
                               "last_updated": int(time.time())}
                     for i, p in enumerate((self.config or {}).get("processes", []))}
        answer = self.http.post("/api/agent/heartbeat", headers=self.headers, json={
            "online": online, "version": self.version, "hostname": self.machine_id, "os": "Windows 11 Pro",
            "metrics": {"cpu": {"name": "test cpu", "percent": 12.5},
                        "memory": {"used_gb": 4.0, "total_gb": 16.0, "percent": 25.0}},
            "processes": processes})
        answer.raise_for_status()
        body = answer.json()
        if self.config is None or body["configVersion"] != self.config.get("configVersion"):
            self.fetch_config()
        return body

    def fetch_config(self) -> dict:
        """Read this machine's process configuration."""
        answer = self.http.get("/api/agent/config", headers=self.headers)
        answer.raise_for_status()
        self.config = answer.json()
        return self.config

    def poll_once(self, wait: float | None = None) -> list[dict]:
        """Long-poll once and answer every command received."""
        answer = self.http.get("/api/agent/commands", headers=self.headers,
                               params={"wait": self.poll_wait if wait is None else wait})
        answer.raise_for_status()
        commands = answer.json()["commands"]
        for command in commands:
            self.received.append(command)
            self.answer(command)
        return commands

    def report(self, command_id: str, status: str, **fields) -> httpx.Response:
        """Report a command's progress or outcome."""
        return self.http.post(f"/api/agent/commands/{command_id}", headers=self.headers,
                              json={"status": status, **fields})

    def answer(self, command: dict) -> None:
        """Run a command's handler and report the outcome (completed, or failed with the error)."""
        if command["id"] in self.done:  # the command id is the idempotency key
            self.report(command["id"], "completed", result={"duplicate": True})
            return
        handler = self.handlers.get(command["type"])
        try:
            if command["type"] == "install_software":
                self.report(command["id"], "downloading", progress=50)
                self.report(command["id"], "installing")
            result = handler(command["data"]) if handler else {"echo": command["data"]}
            self.report(command["id"], "completed", result=result)
        except Exception as exc:  # noqa: BLE001 - a failing handler is a failed command
            self.report(command["id"], "failed", error=str(exc))
        self.done.append(command["id"])

    # -- the loop --------------------------------------------------------------------------------

    def start(self) -> "ReferenceAgent":
        """Run heartbeat → poll → answer in a background thread until ``stop()``."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=f"agent-{self.machine_id}", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.heartbeat()
                self.poll_once()
            except httpx.HTTPError as exc:
                self.errors.append(repr(exc))
                time.sleep(0.2)

    def stop(self, goodbye: bool = True) -> None:
        """Stop the loop (after the poll in flight) and, with ``goodbye``, say ``online: false``."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=self.poll_wait + 35)
        if goodbye:
            self.heartbeat(online=False)

    def close(self) -> None:
        self.http.close()
