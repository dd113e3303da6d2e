"""Fixtures for the built-in alert channels' tests."""
import pytest

from agentdeck.app import prepare_storage
from tests.plugins.builtin.channels.receiver import signed_receiver


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
    """A webhook receiver on loopback expecting the secret ``s3cret``; set ``script`` to make it fail."""
    with signed_receiver() as running:
        yield running
