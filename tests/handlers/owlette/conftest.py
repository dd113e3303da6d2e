"""owlette test helpers: users and sites made the operator's way, clients signed in."""
from __future__ import annotations

import pytest

ORIGIN = "http://dashboard.test"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def owlette(settings, monkeypatch, request):
    """Serve owlette alone, with the dashboard at ORIGIN; yields a ``World`` on the app's database."""
    monkeypatch.setenv("AGENTDECK_SURFACES", "owlette")
    monkeypatch.setenv("AGENTDECK_OWLETTE_ORIGIN", ORIGIN)
    monkeypatch.setenv("AGENTDECK_OWLETTE_RP_ID", "dashboard.test")
    request.getfixturevalue("app")
    return World()


class World:
    """Accounts and sites created through the domain, as the CLI creates them."""

    def user(self, email: str, admin: bool = False):
        from agentdeck.owlette import accounts

        return accounts.create_user(email, PASSWORD, admin)

    def site(self, site_id: str, owner=None, members=()):
        from agentdeck.owlette import sites

        site = sites.create_site(site_id, site_id.upper(), owner.email if owner else None)
        for member in members:
            sites.add_member(site_id, member.email)
        return site


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    """POST /api/auth/session; the client keeps the cookie. Returns the response."""
    return client.post("/owlette/api/auth/session", json={"email": email, "password": password, **extra},
                       headers={"Origin": ORIGIN})


def api_key(client, email: str) -> str:
    """A fresh API key for ``email`` (signed in on a separate cookie jar)."""
    from agentdeck.owlette import accounts, apikeys

    return apikeys.create_key(accounts.get_user_by_email(email).id, "test")["key"]


@pytest.fixture
def smtp(settings, monkeypatch):
    """A real SMTP server on loopback (STARTTLS, AUTH) that alert email is sent through."""
    from agentdeck.settings import reset_settings
    from tests.support.smtp import SmtpServer

    with SmtpServer(mode="starttls", user="relay", password="pw") as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        yield server
