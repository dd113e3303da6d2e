"""Every served spec is a valid OpenAPI document however a client or generator reads it."""
from __future__ import annotations

import jinja2
import pytest
import yaml
from openapi_spec_validator import validate

from agentdeck.settings import get_settings, reset_settings
from agentdeck.specs import load_spec
from agentdeck.surfaces import PLATFORM, SURFACES, spec_dir

ALL = [PLATFORM, *SURFACES.values()]


@pytest.mark.parametrize("auth_required", ["false", "true"])  # Amplifier's spec renders both ways
@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.name)
def test_the_rendered_spec_is_valid_openapi(surface, auth_required, settings, monkeypatch):
    monkeypatch.setenv("AUTH_REQUIRED", auth_required)
    reset_settings()
    validate(load_spec(surface.spec_file, get_settings()))


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.name)
def test_the_pure_python_yaml_loader_reads_it_as_libyaml_does(surface, settings):
    """Tools without libyaml (PyYAML's pure-Python loader, other languages' YAML 1.1 readers)
    must read the same document: no plain scalar that only libyaml accepts."""
    text = jinja2.Template((spec_dir() / surface.spec_file).read_text()).render(settings=get_settings())
    assert yaml.load(text, Loader=yaml.SafeLoader) == yaml.load(text, Loader=yaml.CSafeLoader)


def _string_enums_with_non_strings(node, path="#"):
    if isinstance(node, dict):
        if node.get("type") == "string" and isinstance(node.get("enum"), list):
            for value in node["enum"]:
                if not isinstance(value, str) and value is not None:
                    yield f"{path}: {value!r}"
        for key, value in node.items():
            yield from _string_enums_with_non_strings(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _string_enums_with_non_strings(value, f"{path}/{n}")


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.name)
def test_string_enums_hold_strings(surface, settings):
    """YAML 1.1 reads a bare off, on, yes or no as a boolean: such enum values must be quoted."""
    assert list(_string_enums_with_non_strings(load_spec(surface.spec_file, get_settings()))) == []
