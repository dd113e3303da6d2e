"""The one Redis connection pool of a process, when ``REDIS_URL`` is set.

Redis is optional: with no URL every caller keeps its database path (``client()`` returns None).
The pool is made on first use, so a server started before Redis is reachable connects when it
first needs it; ``reconnect()`` drops the pool, and the next ``client()`` makes a new one.
"""
from __future__ import annotations

import threading

import redis

from agentdeck.settings import get_settings

# A Redis that stops answering must not hold requests: callers fall back to the database.
SOCKET_TIMEOUT = 2.0

_lock = threading.Lock()
_client: redis.Redis | None = None
_client_url: str | None = None


def url() -> str:
    """The configured Redis URL, or ``""``."""
    return get_settings().redis_url


def client() -> redis.Redis | None:
    """A client on the process's pool for ``REDIS_URL``, or None when it is not set."""
    global _client, _client_url
    configured = url()
    if not configured:
        return None
    with _lock:
        if _client is None or _client_url != configured:
            _client = redis.Redis.from_url(configured, socket_timeout=SOCKET_TIMEOUT,
                                           socket_connect_timeout=SOCKET_TIMEOUT, health_check_interval=30)
            _client_url = configured
        return _client


def reconnect() -> redis.Redis | None:
    """Drop the pool (closing its connections) and return a client on a new one."""
    global _client
    with _lock:
        old, _client = _client, None
    if old is not None:
        old.close()
    return client()
