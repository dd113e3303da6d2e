"""Leases and the maintenance loop: one runner at a time across processes."""
from datetime import timedelta

from agentdeck import leases
from agentdeck.maintenance import run_sweeps_once
from agentdeck.storage.models.core import Lease
from agentdeck.timeutil import utcnow


def test_only_one_holder_until_expiry(app):
    assert leases.acquire("job", 60, holder="a")
    assert not leases.acquire("job", 60, holder="b")
    assert leases.acquire("job", 60, holder="a"), "the holder renews"
    Lease.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    assert leases.acquire("job", 60, holder="b"), "an expired lease can be taken"
    leases.release("job", holder="b")
    assert leases.acquire("job", 60, holder="a")


def test_sweeps_run_only_under_the_lease(app):
    ran = []
    assert run_sweeps_once([lambda: ran.append(1)])
    Lease.update(holder="someone-else", expires_at=utcnow() + timedelta(seconds=60)).execute()
    assert not run_sweeps_once([lambda: ran.append(2)])
    assert ran == [1]


def test_a_failing_sweep_does_not_stop_the_others(app):
    ran = []

    def broken():
        raise RuntimeError("boom")

    assert run_sweeps_once([broken, lambda: ran.append("after")])
    assert ran == ["after"]
