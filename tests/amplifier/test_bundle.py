"""Reading configs: rules, provider module mapping, ${VAR} expansion."""
import pytest

from agentdeck.amplifier.bundle import (DEFAULT_PROVIDER, bundle_provider, expand_environment,
                                        parse_bundle, plugin_name, provider_choice)
from agentdeck.errors import InvalidInput


def test_parse_gives_the_mapping():
    assert parse_bundle("bundle:\n  name: x\n")["bundle"] == {"name": "x"}


def test_yaml_errors_say_where():
    with pytest.raises(InvalidInput, match=r"Invalid YAML syntax: .*\(line \d+, column \d+\)"):
        parse_bundle("bundle:\n  name: [x\n")


@pytest.mark.parametrize("module, plugin", [("provider-anthropic", "anthropic"), ("openai", "openai"),
                                            (" provider-ollama ", "ollama")])
def test_module_names_map_to_plugins(module, plugin):
    assert plugin_name(module) == plugin


def test_first_provider_entry_is_chosen_with_its_config():
    choice = provider_choice({"providers": [{"module": "provider-openai", "config": {"model": "m"}},
                                            {"module": "provider-anthropic"}]})
    assert (choice.plugin, choice.module, choice.config) == ("openai", "provider-openai", {"model": "m"})
    assert provider_choice({"providers": ["provider-echo"]}).plugin == "echo"


def test_no_providers_means_echo():
    assert provider_choice({}).plugin == DEFAULT_PROVIDER == "echo"
    assert provider_choice({"providers": []}).plugin == "echo"


def test_cached_choice_is_a_copy():
    first = bundle_provider("bundle: {name: x}\nproviders:\n  - module: echo\n    config: {prefix: a}\n")
    first.config["prefix"] = "changed"
    again = bundle_provider("bundle: {name: x}\nproviders:\n  - module: echo\n    config: {prefix: a}\n")
    assert again.config == {"prefix": "a"}


def test_environment_expansion():
    env = {"KEY": "secret", "EMPTY": ""}
    config = {"api_key": "${KEY}", "url": "http://h/${KEY}/x", "n": 3, "list": ["${KEY}"],
              "fallback": "${MISSING:-default}", "empty": "${EMPTY:-used}"}
    assert expand_environment(config, environ=env) == {
        "api_key": "secret", "url": "http://h/secret/x", "n": 3, "list": ["secret"],
        "fallback": "default", "empty": "used"}


def test_missing_variable_names_it_and_where_never_a_value():
    with pytest.raises(InvalidInput) as caught:
        expand_environment({"api_key": "${NOT_SET_ANYWHERE}"}, "providers[0].config", environ={"OTHER": "v"})
    assert caught.value.message == ("providers[0].config.api_key: environment variable NOT_SET_ANYWHERE "
                                    "is not set on the server")
