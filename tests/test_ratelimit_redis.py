"""Rate limits counted in a real Redis when REDIS_URL is set: shared by every worker, and counted
in the database while Redis does not answer."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import redis

from agentdeck import ratelimit, redisconn
from agentdeck.settings import reset_settings
from agentdeck.storage.models.ratelimit import RateLimitWindow
from tests.support.redis_server import redis_server
from tests.support.servers import OUTSIDE_THE_SOURCE, agentdeck_serve


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture
def with_redis(redis_url, settings, app, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    reset_settings()
    connection = redisconn.reconnect()
    connection.flushdb()
    yield connection
    monkeypatch.delenv("REDIS_URL")
    reset_settings()
    redisconn.reconnect()


def test_windows_are_counted_in_redis_and_not_in_the_database(with_redis):
    limit = ratelimit.Limit("redis-test", 3, 60)
    assert [ratelimit.hit(limit, "1.2.3.4") for _ in range(3)] == [2, 1, 0]
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit(limit, "1.2.3.4")
    assert 0 < refused.value.retry_after <= 60
    assert refused.value.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.value.headers["X-RateLimit-Reset"]) > time.time()
    assert ratelimit.hit(limit, "5.6.7.8") == 2  # another client, its own window
    assert 0 < with_redis.pttl("agentdeck:ratelimit:redis-test:1.2.3.4") <= 60_000
    assert RateLimitWindow.select().count() == 0


def test_a_window_ends_when_its_time_is_up(with_redis):
    limit = ratelimit.Limit("redis-short", 1, 0.3)
    ratelimit.hit(limit, "c")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit(limit, "c")
    time.sleep(0.4)
    assert ratelimit.hit(limit, "c") == 0


def test_requests_are_counted_in_the_database_while_redis_does_not_answer(settings, app, monkeypatch):
    with redis_server() as url:
        monkeypatch.setenv("REDIS_URL", url)
        reset_settings()
        redisconn.reconnect()
        limit = ratelimit.Limit("redis-outage", 2, 60)
        assert ratelimit.hit(limit, "c") == 1
    # The server has stopped: the next requests are counted, and refused, in the database.
    assert ratelimit.hit(limit, "c") == 1
    assert ratelimit.hit(limit, "c") == 0
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit(limit, "c")
    assert RateLimitWindow.get_by_id("redis-outage:c").count == 3
    monkeypatch.delenv("REDIS_URL")
    reset_settings()
    redisconn.reconnect()


def test_two_workers_share_the_agtos_limit_through_redis(redis_url, tmp_path):
    redis.Redis.from_url(redis_url).flushdb()
    env = {**os.environ, "AGENTDECK_DATA_DIR": str(tmp_path / "data"), "AGENTDECK_SURFACES": "agtos",
           "AGENTDECK_LOG_LEVEL": "WARNING", "REDIS_URL": redis_url, "API_RATE_LIMIT": "6"}
    env.pop("DATABASE_URL", None)
    with agentdeck_serve(2, env, OUTSIDE_THE_SOURCE) as base:
        statuses, remaining = [], []
        for _ in range(7):
            with httpx.Client() as fresh:  # a new connection each time: either worker answers
                answer = fresh.get(f"{base}/agtos/api/system/info")
            statuses.append(answer.status_code)
            remaining.append(answer.headers.get("x-ratelimit-remaining"))
    assert statuses == [200] * 6 + [429]
    assert remaining[:6] == ["5", "4", "3", "2", "1", "0"]
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("agentdeck:ratelimit:*")]
    assert any(k.startswith("agentdeck:ratelimit:agtos-api:") for k in keys), keys
