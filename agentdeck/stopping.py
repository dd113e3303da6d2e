"""This process is stopping: requests held open on purpose (long-polls) answer at once.

A server that is asked to stop (SIGTERM, SIGINT, gunicorn stopping a worker) waits for the
requests in flight before it exits. A long-poll holds its request until something happens or
its hold time ends, which would hold the stop for that long (Augur's command poll: 10 s; an
owlette ``wait``: up to 120 s). ``agentdeck.serving`` calls :func:`begin` when the server is
told to exit, and every held request that waits through :func:`watching` wakes up, sees
:func:`is_stopping`, and answers what it has, so its client polls again, on another worker or
after the restart.
"""
from __future__ import annotations

import asyncio
import contextlib
import threading

_stopping = threading.Event()
_lock = threading.Lock()
_watchers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def is_stopping() -> bool:
    """Whether this process has been told to stop."""
    return _stopping.is_set()


def begin() -> None:
    """Mark the process as stopping and wake every held request; callable from any thread or a
    signal handler."""
    _stopping.set()
    with _lock:
        watchers = list(_watchers)
    for loop, event in watchers:
        with contextlib.suppress(RuntimeError):  # that loop has closed: nobody is waiting there
            loop.call_soon_threadsafe(event.set)


def reset() -> None:
    """Forget a stop (tests running several servers in one process)."""
    _stopping.clear()


@contextlib.contextmanager
def watching(event: asyncio.Event):
    """Set ``event`` when the process begins stopping (at once if it already has) while the
    block runs; the holder checks :func:`is_stopping` after each wake-up."""
    entry = (asyncio.get_running_loop(), event)
    with _lock:
        _watchers.add(entry)
    if _stopping.is_set():
        event.set()
    try:
        yield event
    finally:
        with _lock:
            _watchers.discard(entry)
