"""agtOS fixtures: the surface without an API key unless a test sets one, and clients that come
from a loopback or a remote address."""
import pytest
from starlette.testclient import TestClient

API_KEY = "agtos-test-key"


@pytest.fixture(autouse=True)
def no_api_key(monkeypatch):
    """``AGTOS_API_KEY`` unset (the environment the suite runs in may have one)."""
    monkeypatch.delenv("AGTOS_API_KEY", raising=False)


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
