"""Scheduler benchmark (not a test): many one-off tasks falling due within a short window,
fired by ``agentdeck serve --workers N`` on one database.

It stores ``--tasks`` ``once`` tasks due evenly over ``--spread`` seconds (starting a few seconds
after the server is up), waits until every one has fired or ``--timeout`` passes, and prints:
how many fired, whether each fired exactly once (its run count and its events in the outbox),
the firing lag (due time → claimed, p50 / p99 / max) and the server's CPU time per fired task.
SQLite in a fresh data directory unless ``DATABASE_URL`` is set.

    python bench/agtos_scheduler.py [--tasks 10000] [--spread 60] [--workers 2]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
AGENTDECK = os.path.join(os.path.dirname(sys.executable), "agentdeck")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(root_pid: int) -> float:
    """User + system CPU of ``root_pid`` and its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [root_pid]
    while pending:
        pid = pending.pop()
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in os.listdir(f"/proc/{pid}/task"):
                pending += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _wait_up(port: int, process: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _store_tasks(count: int, first_due, spread: float) -> None:
    from agentdeck.storage.db import writing
    from agentdeck.storage.models.scheduler import ScheduledTask, new_task_id

    rows = []
    for n in range(count):
        due = first_due + timedelta(seconds=spread * n / count)
        rows.append({"id": new_task_id(), "name": f"bench {n}", "kind": "once", "at": due,
                     "event_topic": "bench.tick", "payload": {"n": n}, "next_run_at": due})
    for start in range(0, count, 500):
        with writing():
            ScheduledTask.insert_many(rows[start:start + 500]).execute()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--spread", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="agentdeck-bench-")
    env = {**os.environ, "AGENTDECK_DATA_DIR": data_dir, "AGENTDECK_LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    from agentdeck.settings import get_settings
    from agentdeck.storage.db import init_db
    from agentdeck.storage.migrations import upgrade_database
    from agentdeck.storage.models.eventbus import Event
    from agentdeck.storage.models.scheduler import ScheduledTask
    from agentdeck.timeutil import utcnow

    init_db(get_settings().resolved_database_url)
    upgrade_database()
    port = _free_port()
    server = subprocess.Popen([AGENTDECK, "serve", "--port", str(port), "--workers", str(args.workers)],
                              env=env, start_new_session=True)
    try:
        _wait_up(port, server)
        first_due = utcnow() + timedelta(seconds=5)
        _store_tasks(args.tasks, first_due, args.spread)
        cpu_before = _cpu_seconds(server.pid)
        deadline = time.monotonic() + 5 + args.spread + args.timeout
        while time.monotonic() < deadline:
            left = ScheduledTask.select().where(ScheduledTask.status == "active").count()
            if not left:
                break
            time.sleep(1)
        cpu = _cpu_seconds(server.pid) - cpu_before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    tasks = list(ScheduledTask.select())
    fired = [t for t in tasks if t.run_count]
    lags = [(t.last_run_at - t.at).total_seconds() for t in fired]
    events = Event.select().where(Event.topic == "bench.tick").count()
    print(f"tasks {len(tasks)}  fired {len(fired)}  fired twice {sum(t.run_count > 1 for t in tasks)}  "
          f"events {events}  workers {args.workers}  spread {args.spread:.0f} s")
    if lags:
        print(f"firing lag  p50 {_percentile(lags, 0.5) * 1000:.0f} ms  p99 {_percentile(lags, 0.99) * 1000:.0f} ms  "
              f"max {max(lags) * 1000:.0f} ms")
        print(f"server CPU  {cpu:.1f} s in all  {cpu / len(fired) * 1000:.2f} ms per fired task")
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
