"""Installed distributions made up for tests: a ``.dist-info`` folder and a module on ``sys.path``,
so the plugin manager finds them through ``importlib.metadata`` as it finds a pip-installed plugin."""
from __future__ import annotations

import sys
import textwrap
import uuid


def install_fake_plugin(tmp_path, monkeypatch, *, name: str, version: str, source: str) -> str:
    """Make ``source`` importable as a plugin with entry point ``name`` in group ``agentdeck``.

    Returns the module name, unique per call so that one test's module never shadows another's
    through ``sys.modules``.
    """
    module = f"fake_agentdeck_plugin_{uuid.uuid4().hex[:8]}"
    site = tmp_path / "site"
    dist_info = site / f"{module}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: {version}\n")
    (dist_info / "entry_points.txt").write_text(f"[agentdeck]\n{name} = {module}\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, module, raising=False)
    return module
