"""Loading the OpenAPI specs: rendered with the settings (Connexion's Jinja2 convention), parsed
once per process with libyaml, and handed out as fresh copies.

Parsing the specs with the pure-Python YAML loader took about a second per app built; the app
factory, the error responder and every test that builds an app share this cache instead.
"""
from __future__ import annotations

import copy
import functools

import jinja2
import yaml

from agentdeck.settings import Settings
from agentdeck.surfaces import spec_dir

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=32)
def _parse(rendered: str) -> dict:
    return yaml.load(rendered, Loader=_LOADER)


def load_spec(spec_file: str, settings: Settings) -> dict:
    """The spec ``spec_file`` rendered for ``settings``, as a dict the caller may modify."""
    text = (spec_dir() / spec_file).read_text()
    rendered = jinja2.Template(text).render(settings=settings)
    return copy.deepcopy(_parse(rendered))
