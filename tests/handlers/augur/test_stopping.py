"""A held command poll does not hold the server's stop: told to exit, the server answers the
poll at once (empty, the cursor unchanged) and exits, one process or gunicorn workers alike."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from agentdeck.augur.commands import HOLD_ENV
from tests.support.servers import OUTSIDE_THE_SOURCE, agentdeck_serve

AGENTDECK = str(Path(sys.executable).parent / "agentdeck")


def _cli(env, *args) -> str:
    return subprocess.run([AGENTDECK, "augur", *args], env={**os.environ, **env}, cwd=OUTSIDE_THE_SOURCE,
                          check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("workers", [1, 2])
def test_a_held_poll_answers_when_the_server_is_told_to_stop(workers, tmp_path):
    env = {"AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_SURFACES": "augur",
           "AGENTDECK_LOG_LEVEL": "WARNING", HOLD_ENV: "60"}
    _cli(env, "tenant-create", "acme")
    key = json.loads(_cli(env, "dsn-issue", "--tenant", "acme", "--json"))["api_key"]
    answers = []
    with agentdeck_serve(workers, env, OUTSIDE_THE_SOURCE) as base:
        server = base.process

        def poll():
            started = time.monotonic()
            response = httpx.get(f"{base}/augur/api/v1/runs/run-1/commands", params={"cursor": "3"},
                                 headers={"Authorization": f"Bearer {key}"}, timeout=90)
            answers.append((response, time.monotonic() - started))

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(1.5)  # the poll is held
        told = time.monotonic()
        server.send_signal(signal.SIGTERM)
        poller.join(30)
        server.wait(30)
        exited = time.monotonic()
        assert exited - told < 8, "the server held its stop for the poll"
    response, took = answers[0]
    assert response.status_code == 200 and response.json() == {"commands": [], "cursor": "3"}
    assert took < 10
