"""Database leases: exactly one runner, across processes and hosts, does a named job at a time."""
from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

import peewee

from agentdeck.storage.db import database, writing
from agentdeck.storage.models.core import Lease
from agentdeck.timeutil import utcnow

HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, ttl_seconds: float, holder: str = HOLDER) -> bool:
    """Take or renew lease ``name`` for ``ttl_seconds``; True when ``holder`` now holds it."""
    now = utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    with writing():
        taken = (Lease.update(holder=holder, expires_at=expires)
                 .where((Lease.name == name) & ((Lease.holder == holder) | (Lease.expires_at < now)))
                 .execute())
        if taken:
            return True
        try:
            with database.atomic():
                Lease.create(name=name, holder=holder, expires_at=expires)
            return True
        except peewee.IntegrityError:
            return False


def release(name: str, holder: str = HOLDER) -> None:
    """Give lease ``name`` up, if ``holder`` holds it."""
    Lease.delete().where((Lease.name == name) & (Lease.holder == holder)).execute()
