"""Handlers of the Amplifier App API surface (one module per resource)."""
from __future__ import annotations

import functools

from agentdeck.storage.db import release_connection


def gives_back_connection(handler):
    """Return the thread's database connection to the pool when a plain-``def`` handler ends.

    Connexion runs these handlers on anyio's worker threads, which exit after a while idle; a
    connection still checked out by a thread that exits never returns to the pool, and once
    ``AGENTDECK_DB_MAX_CONNECTIONS`` are lost every request waits for one.
    """

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        finally:
            release_connection()

    return wrapper
