"""What a benchmark run's figures are worth: the machine's load and the load generator's own CPU.

Every bench prints ``Conditions.summary()`` under its figures. A run is flagged when the load
generator used nearly a whole core (its own queueing then shows up as the server's latency) or
when the machine was busy before the run started (the 1-minute load average above its CPU
count: other work shared the cores the servers were measured on).
"""
from __future__ import annotations

import os
import time

STARVED_SHARE = 0.9  # of one core


class Conditions:
    """Started when the bench starts; ``summary()`` at the end."""

    def __init__(self):
        self.load_before = os.getloadavg()[0]
        self._wall = time.monotonic()
        self._own = time.process_time()

    def summary(self, *, generator_in_process: bool = True) -> str:
        """One line: load before and after, the generator's CPU share, and any flag.

        ``generator_in_process``: this process generates the load, so its CPU time is the
        generator's. When a separate tool does (wrk), its share is not known here: wrk reports its
        own socket errors and timeouts instead."""
        wall = max(time.monotonic() - self._wall, 1e-9)
        share = (time.process_time() - self._own) / wall if generator_in_process else None
        cpus = os.cpu_count() or 1
        line = f"load average (1 min) before/after {self.load_before:.2f} / {os.getloadavg()[0]:.2f} on {cpus} CPUs"
        if share is not None:
            line += f"; load generator {share:.0%} of a core"
        flags = []
        if share is not None and share > STARVED_SHARE:
            flags.append("the load generator was starved: its own queueing is in these latencies")
        if self.load_before > cpus:
            flags.append("the machine was busy before the run: figures are low and noisy")
        return line + "".join(f"\nFLAGGED: {flag}" for flag in flags)
