"""Every hook is declared with a docstring, documented in docs/plugins.md and exercised by a test."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentdeck import PROJECT_NAME
from agentdeck.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"


def _hook_names() -> list[str]:
    marker = f"{PROJECT_NAME}_spec"
    return sorted(name for name, value in vars(hookspecs).items() if hasattr(value, marker))


def _doc_section(name: str) -> str | None:
    """The text of section ``## <name>`` in docs/plugins.md, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(name)}\s*$(.*?)(?=^## |\Z)", DOCS.read_text(), re.M | re.S)
    return match.group(1) if match else None


HOOKS = _hook_names()


def test_hookspecs_are_found():
    assert "register_alert_channels" in HOOKS and len(HOOKS) >= 4


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_docstring_saying_whether_it_is_firstresult(name):
    doc = getattr(hookspecs, name).__doc__ or ""
    assert "firstresult" in doc, f"hookspec {name} must say whether it is firstresult"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_documented(name):
    section = _doc_section(name)
    assert section is not None, f"docs/plugins.md has no '## {name}' section"
    assert f"def {name}(" in section, f"the {name} section does not show the hook's signature"
    assert "firstresult" in section, f"the {name} section does not say whether it is firstresult"
    assert "Example" in section, f"the {name} section has no example"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_tested(name):
    using = [path for path in TESTS.rglob("test_*.py")
             if path.name != Path(__file__).name and name in path.read_text()]
    assert using, f"no test under tests/ mentions the hook {name}"


def test_docs_have_no_section_for_a_hook_that_does_not_exist():
    documented = re.findall(r"^## ([a-z][a-z0-9_]*)\s*$", DOCS.read_text(), re.M)
    assert sorted(documented) == HOOKS
