"""docs/router.md describes every public member of the router's interface."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

from agentdeck.router import Router, credentials

DOC = Path(__file__).resolve().parents[2] / "docs" / "router.md"


def test_every_public_router_method_and_credential_function_is_documented():
    text = DOC.read_text()
    members = [name for name, _ in inspect.getmembers(Router, inspect.isfunction)
               if not name.startswith("_") and name != "falls_back"]
    members += [name for name, value in vars(credentials).items()
                if inspect.isfunction(value) and value.__module__ == credentials.__name__
                and not name.startswith("_") and name not in {"get_key", "all_keys"}]
    missing = [name for name in members if not re.search(rf"`(async )?{name}\(", text)]
    assert missing == []
