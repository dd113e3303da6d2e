"""AugmentOS fixtures: a published app with its key, a user's core token, a TPA webhook receiver."""
from dataclasses import dataclass

import pytest

from tests.support.receiver import WebhookReceiver

PACKAGE = "com.example.myapp"
USER = "alice@example.com"


@dataclass
class Tpa:
    package: str
    api_key: str
    url: str
    receiver: WebhookReceiver

    @property
    def headers(self):
        return {"X-API-Key": self.api_key, "X-Package-Name": self.package}


@pytest.fixture
def receiver():
    hook = WebhookReceiver()
    with hook.serve() as server:
        hook.url = server.url
        yield hook


@pytest.fixture
def tpa(app, receiver):
    from agentdeck.augmentos import apps

    _, api_key = apps.create_app(PACKAGE, "My App", description="Captions for everyone",
                                 public_url=receiver.url)
    apps.set_store_status(PACKAGE, "PUBLISHED")
    return Tpa(PACKAGE, api_key, receiver.url, receiver)


@pytest.fixture
def user_headers(app):
    from agentdeck.augmentos.users import issue_core_token

    return {"Authorization": f"Bearer {issue_core_token(USER)}"}
