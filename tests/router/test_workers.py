"""State two worker processes share: exhaustion in the database, stats through Prometheus files."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from agentdeck.router import Router, billing
from tests.support.servers import OUTSIDE_THE_SOURCE

WORKER = textwrap.dedent("""
    import sys
    from agentdeck.router import stats
    for _ in range(int(sys.argv[1])):
        stats.record("chat", fallbacks=1)
    stats.record("chat", failed=True)
""")


def run_worker(code: str, *args: str, env: dict) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, timeout=60, cwd=OUTSIDE_THE_SOURCE)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_slot_stats_add_up_across_worker_processes(tmp_path, monkeypatch):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    run_worker(WORKER, "2", env=env)
    run_worker(WORKER, "3", env=env)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    assert Router().stats()["chat"] == {"requests": 7, "errors": 2, "fallbackCount": 5}


def test_an_exhaustion_marked_by_one_process_is_seen_by_another(db, settings):
    billing.mark_exhausted("openai", "quota", 600)
    code = textwrap.dedent("""
        from agentdeck.settings import get_settings
        from agentdeck.storage.db import init_db
        from agentdeck.router import billing
        init_db(get_settings().resolved_database_url)
        print(sorted(billing.exhausted_now()))
    """)
    assert run_worker(code, env=dict(os.environ)).strip() == "['openai']"
