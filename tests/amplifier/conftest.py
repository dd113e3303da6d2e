"""Fixtures for the Amplifier domain tests: the fake upstreams."""
from tests.upstreams.fixtures import *  # noqa: F401,F403
