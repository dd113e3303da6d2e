"""Reading an Amplifier config's YAML: the checks a config must pass, which provider plugin its
``providers:`` entry names, and ``${VAR}`` expansion from the server's environment.

The YAML is stored as the client sent it; secrets written as ``${VAR}`` are expanded only when a
provider is opened, and never returned to a client.
"""
from __future__ import annotations

import copy
import functools
import os
import re
from dataclasses import dataclass, field

import yaml

from agentdeck.errors import InvalidInput

#: The provider used when a config names none, so a fresh install answers without any key.
DEFAULT_PROVIDER = "echo"
_MODULE_PREFIX = "provider-"
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# libyaml's safe loader when PyYAML was built with it: the same rules, ten times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ProviderChoice:
    """The provider a config selects: plugin name, the module as written, and its raw config."""

    plugin: str
    module: str
    config: dict = field(default_factory=dict)


def parse_bundle(yaml_content: str) -> dict:
    """The config's YAML as a mapping; raises ``InvalidInput`` saying which rule it breaks."""
    try:
        data = yaml.load(yaml_content, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"Invalid YAML syntax: {_describe_yaml_error(exc)}") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise InvalidInput(f"YAML content must be a mapping (dictionary), got {kind}")
    bundle = data.get("bundle")
    if not isinstance(bundle, dict) or not _is_name(bundle.get("name")):
        raise InvalidInput("Config must have a 'bundle' section with a 'name' (bundle.name is required)")
    provider_choice(data)  # a malformed providers: section is refused when saved, not at first use
    return data


def bundle_provider(yaml_content: str) -> ProviderChoice:
    """The provider a config's YAML selects (checked as ``parse_bundle`` does); cached by text,
    since every message of a session reads the same YAML."""
    choice = _cached_provider(yaml_content)
    return ProviderChoice(choice.plugin, choice.module, copy.deepcopy(choice.config))


@functools.lru_cache(maxsize=512)
def _cached_provider(yaml_content: str) -> ProviderChoice:
    return provider_choice(parse_bundle(yaml_content))


def provider_choice(bundle: dict) -> ProviderChoice:
    """The first ``providers:`` entry of a parsed bundle, or ``echo`` when there is none."""
    providers = bundle.get("providers")
    if providers is None or providers == []:
        return ProviderChoice(DEFAULT_PROVIDER, DEFAULT_PROVIDER)
    if not isinstance(providers, list):
        raise InvalidInput("'providers' must be a list of {module, config} entries")
    entry = providers[0]
    if isinstance(entry, str):
        entry = {"module": entry}
    if not isinstance(entry, dict) or not _is_name(entry.get("module")):
        raise InvalidInput("providers[0] must have a 'module' (e.g. provider-openai)")
    config = entry.get("config") or {}
    if not isinstance(config, dict):
        raise InvalidInput("providers[0].config must be a mapping")
    module = str(entry["module"]).strip()
    return ProviderChoice(plugin_name(module), module, config)


def plugin_name(module: str) -> str:
    """``provider-openai`` → ``openai``; a bare ``openai`` is accepted as is."""
    name = module.strip()
    return name[len(_MODULE_PREFIX):] if name.startswith(_MODULE_PREFIX) else name


def expand_environment(value, where: str = "config", environ=None):
    """``value`` with every ``${VAR}`` (or ``${VAR:-default}``) in its strings expanded.

    Raises ``InvalidInput`` naming the variable (never a value) when one is not set.
    """
    environ = os.environ if environ is None else environ
    if isinstance(value, dict):
        return {k: expand_environment(v, f"{where}.{k}", environ) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_environment(v, f"{where}[{i}]", environ) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        if environ.get(name):
            return environ[name]
        if default is not None:
            return default
        raise InvalidInput(f"{where}: environment variable {name} is not set on the server")

    return _ENV_REFERENCE.sub(substitute, value)


def _is_name(value) -> bool:
    return isinstance(value, (str, int, float)) and str(value).strip() != ""


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return problem
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
