"""Helpers for tests against a real server: an async client below the mount, SSE reading."""
from __future__ import annotations

import json

import httpx

from tests.handlers.amplifier.conftest import MOUNT


def async_client(base_url: str, **kwargs) -> httpx.AsyncClient:
    """An httpx client for the Amplifier API of the server at ``base_url``."""
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    return httpx.AsyncClient(base_url=f"{base_url}{MOUNT}", timeout=30, limits=limits, **kwargs)


async def new_session(client: httpx.AsyncClient, yaml_content: str) -> str:
    """A config and a session on it."""
    config = await client.post("/configs", json={"name": "live", "yaml_content": yaml_content})
    assert config.status_code == 201, config.text
    session = await client.post("/sessions", json={"config_id": config.json()["config_id"]})
    assert session.status_code == 201, session.text
    return session.json()["session_id"]


async def read_events(response: httpx.Response, on_event=None) -> list[dict]:
    """Every SSE event of ``response``; ``on_event(event, events)`` is awaited after each."""
    events = []
    async for line in response.aiter_lines():
        if line.startswith("data: "):
            events.append(json.loads(line[len("data: "):]))
            if on_event is not None:
                await on_event(events[-1], events)
    return events
