"""The fake upstream fixtures, until the root conftest loads ``tests.upstreams.fixtures``."""
from tests.upstreams.fixtures import *  # noqa: F401,F403
