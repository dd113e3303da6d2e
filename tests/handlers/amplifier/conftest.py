"""Fixtures for the Amplifier surface: a client below the mount, configs and sessions (the fake
upstreams' fixtures come from the root conftest)."""
from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

MOUNT = "/amplifier"
ECHO_YAML = "bundle:\n  name: echo-bundle\n"


@pytest.fixture(autouse=True)
def only_amplifier(settings, monkeypatch):
    """Serve only this surface: building the app parses every spec, which is most of its cost."""
    monkeypatch.setenv("AGENTDECK_SURFACES", "amplifier")


@pytest.fixture
def amp(app):
    """A client whose base URL is the Amplifier mount, as an Amplifier client would use it."""
    with TestClient(app, base_url=f"http://testserver{MOUNT}", raise_server_exceptions=False) as client:
        yield client


def openai_yaml(base_url: str, *, key: str = "${FAKE_OPENAI_KEY}", model: str | None = "gpt-fake",
                extra: str = "") -> str:
    """A config whose provider is the OpenAI-compatible plugin at ``base_url``."""
    lines = ["bundle:", "  name: openai-bundle", "providers:", "  - module: provider-openai",
             "    config:", f"      base_url: {base_url}", f"      api_key: {key}",
             "      max_retries: 0", "      timeout: 5"]
    if model:
        lines.append(f"      model: {model}")
    return "\n".join(lines) + "\n" + extra


def create_config(amp, yaml_content: str = ECHO_YAML, **fields) -> str:
    """Create a config and return its id."""
    response = amp.post("/configs", json={"name": "test-config", "yaml_content": yaml_content, **fields})
    assert response.status_code == 201, response.text
    return response.json()["config_id"]


def create_session(amp, yaml_content: str = ECHO_YAML) -> str:
    """Create a config and a session on it; return the session id."""
    response = amp.post("/sessions", json={"config_id": create_config(amp, yaml_content)})
    assert response.status_code == 201, response.text
    return response.json()["session_id"]


def sse_events(lines) -> list[dict]:
    """The JSON payloads of ``data:`` lines."""
    return [json.loads(line[len("data: "):]) for line in lines if line.startswith("data: ")]


@pytest.fixture
def openai_session(amp, fake_openai, monkeypatch):
    """A session answering through the fake OpenAI-compatible upstream, its key from the env."""
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-test-secret")
    fake_openai.api_key = "sk-test-secret"
    return create_session(amp, openai_yaml(fake_openai.base_url))
