"""The database-backed request rate limiter: a window per client, counted by every thread."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from agentdeck import ratelimit
from agentdeck.storage.db import gives_back_connection
from agentdeck.storage.models.ratelimit import RateLimitWindow
from agentdeck.timeutil import utcnow


@pytest.fixture
def storage(app):
    return app


def test_requests_past_the_limit_are_refused_until_the_window_ends(storage):
    limit = ratelimit.Limit("test", 3, 60)
    assert [ratelimit.hit(limit, "1.2.3.4") for _ in range(3)] == [2, 1, 0]
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit(limit, "1.2.3.4")
    assert 0 < refused.value.retry_after <= 60
    assert refused.value.headers["X-RateLimit-Limit"] == "3" and refused.value.headers["X-RateLimit-Remaining"] == "0"
    assert ratelimit.hit(limit, "5.6.7.8") == 2  # another client, its own window
    RateLimitWindow.update(window_started_at=utcnow() - timedelta(seconds=61)).execute()
    assert ratelimit.hit(limit, "1.2.3.4") == 2  # a new window


def test_concurrent_requests_are_each_counted(storage):
    limit = ratelimit.Limit("test-concurrent", 1000, 60)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(gives_back_connection(lambda _: ratelimit.hit(limit, "c")), range(80)))
    assert RateLimitWindow.get_by_id("test-concurrent:c").count == 80
