"""Fixtures for the built-in alert channels' tests."""
import pytest

from tests.plugins.builtin.channels.receiver import WebhookReceiver


@pytest.fixture
def receiver():
    """A webhook receiver on loopback expecting the secret ``s3cret``; set ``fail_first`` to make it fail."""
    with WebhookReceiver(secret="s3cret") as server:
        yield server
