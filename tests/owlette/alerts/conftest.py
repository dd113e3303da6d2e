"""owlette alert tests use the owlette handler tests' world: accounts and sites, signed-in clients."""
from tests.handlers.owlette.conftest import owlette  # noqa: F401  (a fixture)
