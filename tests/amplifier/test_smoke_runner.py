"""Which smoke files may run."""
import pytest

from agentdeck.amplifier.smoke_runner import SMOKE_DIR, select_files, smoke_files
from agentdeck.errors import InvalidInput


def test_bundled_files_are_found():
    assert "test_smoke.py" in smoke_files()
    assert select_files("test_*.py") == [SMOKE_DIR / name for name in smoke_files()]


@pytest.mark.parametrize("pattern", ["../test_smoke.py", "smoke/test_smoke.py", "..", ".*", "*.txt"])
def test_anything_else_is_refused(pattern):
    with pytest.raises(InvalidInput):
        select_files(pattern)
