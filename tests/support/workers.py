"""agentdeck server processes for tests of work shared between workers: each runs the real app
under uvicorn (lifespan on: scheduler and event delivery running) with a subscriber that writes
every event it handles to a file, one JSON line each, and every run its scheduler fires to
another (the same name with ``.fired`` added)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

from tests.support.postgres import free_port
from tests.support.servers import OUTSIDE_THE_SOURCE

SERVER = textwrap.dedent("""
    import json, os, sys
    import uvicorn
    from agentdeck import eventbus
    from agentdeck.app import create_app

    from agentdeck.scheduler import runner

    pattern, record, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app()
    claim = runner._claim_and_publish

    def claim_and_record(task_id, due):
        run = claim(task_id, due)
        if run is not None:
            with open(record + ".fired", "a") as out:
                out.write(json.dumps({"pid": os.getpid(), "task": task_id, "due": due.isoformat(),
                                      "event": run.event_id}) + "\\n")
        return run

    runner._claim_and_publish = claim_and_record  # to see which worker fired which due time

    def handle(event):
        with open(record, "a") as out:
            out.write(json.dumps({"pid": os.getpid(), "id": event.id, "topic": event.topic,
                                  "key": event.key, "payload": event.payload}) + "\\n")

    eventbus.subscribe(pattern, handle, name="recorder")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
""")


class ServerProcess:
    """One agentdeck server process on this test's database (from the environment)."""

    def __init__(self, record: Path, pattern: str = "*"):
        self.port = free_port()
        self.record = record
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, pattern, str(record), str(self.port)],
                                        env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        cwd=OUTSIDE_THE_SOURCE)

    def wait_ready(self, timeout: float = 30) -> "ServerProcess":
        """Block until the server answers its health check."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code < 500:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        """Stop the server gracefully (lifespan shutdown), killing it if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def recorded(path: Path) -> list[dict]:
    """The events the servers' recorder subscribers handled (or, for ``<record>.fired``, the
    runs their schedulers fired), in the order they wrote them."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
