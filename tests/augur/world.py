"""Test helpers for the Augur surface: tenants, users and DSNs made through the domain layer,
and clients that talk to the app the way the SDK (bearer DSN) and the viewer (cookie) do."""
from __future__ import annotations

import struct
import zlib

import pytest
from starlette.testclient import TestClient

PASSWORD = "correct horse battery"
API = "/augur/api/v1"


def png_bytes(seed: int = 0, size: int = 4) -> bytes:
    """A small valid PNG whose pixels depend on ``seed``."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes((seed + x + y) % 256 for x in range(size * 3)) for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


class AugurWorld:
    """Builds Augur tenants, users and DSNs in the test's database."""

    def __init__(self, app):
        self.app = app

    def tenant(self, slug: str, modelio_capture: bool = True):
        """A tenant (model I/O capture on unless asked otherwise)."""
        from agentdeck.augur.tenants import create_tenant

        return create_tenant(slug, modelio_capture=modelio_capture)

    def user(self, email: str, tenant, is_admin: bool = False):
        """A user of ``tenant`` whose password is ``PASSWORD``."""
        from agentdeck.augur.tenants import create_user

        return create_user(email, PASSWORD, tenant, is_admin=is_admin)

    def dsn_key(self, tenant, label: str = "test") -> str:
        """A fresh DSN api key of ``tenant``."""
        from agentdeck.augur.dsns import issue_dsn

        return issue_dsn(tenant, label)["api_key"]

    def sdk(self, api_key: str) -> TestClient:
        """A client sending ``Authorization: Bearer <api_key>`` on every request."""
        client = TestClient(self.app, raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {api_key}"
        return client

    def viewer(self, email: str) -> TestClient:
        """A client signed in as ``email`` (its cookie jar holds the session)."""
        client = TestClient(self.app, raise_server_exceptions=False)
        response = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return client

    def workspace(self, slug: str = "acme", modelio_capture: bool = True):
        """A tenant with one user and one DSN: ``(sdk client, viewer client)``."""
        tenant = self.tenant(slug, modelio_capture)
        self.user(f"user@{slug}.example", tenant)
        return self.sdk(self.dsn_key(tenant)), self.viewer(f"user@{slug}.example")


@pytest.fixture
def augur(app):
    """An ``AugurWorld`` on this test's app and database."""
    return AugurWorld(app)


@pytest.fixture(autouse=True)
def only_augur(settings, monkeypatch):
    """Serve only the Augur surface (and the platform API), so these tests exercise it alone."""
    monkeypatch.setenv("AGENTDECK_SURFACES", "augur")
