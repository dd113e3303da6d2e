"""Sealed config YAML: a value in clear is never taken for a sealed one."""
import pytest

from agentdeck.amplifier.sealed_yaml import is_sealed, open_yaml, seal_yaml


@pytest.fixture(autouse=True)
def server_key(settings):
    """Each test's own data directory, where the server key is made."""


@pytest.mark.parametrize("plain", ["bundle:\n  name: b\n", "v1: x\nbundle:\n  name: b\n",
                                   "v1:abc\nbundle: {name: b}\n", "bundle: {name: v1:abc}"])
def test_yaml_in_clear_reads_as_it_is(plain):
    assert not is_sealed(plain) and open_yaml(plain) == plain


def test_sealed_yaml_opens_to_what_was_sealed():
    sealed = seal_yaml("bundle:\n  name: b\n")
    assert is_sealed(sealed) and "bundle" not in sealed and open_yaml(sealed) == "bundle:\n  name: b\n"
