"""agtOS fixtures: the surface without an API key unless a test sets one, and clients that come
from a loopback or a remote address."""
import socket

import pytest
from starlette.testclient import TestClient

from agentdeck.router import reset_router, upstreams

API_KEY = "agtos-test-key"
UPSTREAM_VARIABLES = ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "OPENROUTER_BASE_URL", "OLLAMA_HOST",
                      "AGENTDECK_ROUTER_TIMEOUT", "AGENTDECK_ROUTER_COOLDOWN")


def closed_port_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def no_api_key(monkeypatch):
    """``AGTOS_API_KEY`` unset (the environment the suite runs in may have one)."""
    monkeypatch.delenv("AGTOS_API_KEY", raising=False)


@pytest.fixture(autouse=True)
def isolated_router(monkeypatch):
    """A fresh router per test, no upstream variables from outside, and no Ollama running
    unless a test aims ``OLLAMA_HOST`` at the fake one."""
    for name in UPSTREAM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
    monkeypatch.setenv("AGENTDECK_ROUTER_TIMEOUT", "2")
    upstreams.forget_ollama_probe()
    reset_router()
    yield
    reset_router()
    upstreams.forget_ollama_probe()


@pytest.fixture
def api_key(settings, monkeypatch):
    """``AGTOS_API_KEY`` set for the app built after this fixture; returns the bearer headers."""
    monkeypatch.setenv("AGTOS_API_KEY", API_KEY)
    return {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
def local(app):
    """A client connecting from 127.0.0.1."""
    with TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


@pytest.fixture
def remote(app):
    """A client connecting from a non-loopback address."""
    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.10", 50000)) as test_client:
        yield test_client
