"""Fixtures for the built-in alert channels' tests."""
import pytest

from agentdeck.app import prepare_storage
from tests.plugins.builtin.channels.receiver import WebhookReceiver


@pytest.fixture
def storage(settings):
    """This test's database, migrated; the HTTP app is not built, these tests do not need it."""
    prepare_storage(settings())
    yield
    from agentdeck.storage.db import database

    if hasattr(database.obj, "close_all"):
        database.obj.close_all()


@pytest.fixture
def receiver():
    """A webhook receiver on loopback expecting the secret ``s3cret``; set ``fail_first`` to make it fail."""
    with WebhookReceiver(secret="s3cret") as server:
        yield server
