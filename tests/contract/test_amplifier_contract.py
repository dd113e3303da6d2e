"""Schemathesis over the Amplifier spec, with real ids in the paths (a config, a session on it,
an application) so that the success paths are exercised, not only 404s.

Schema-valid data may still break a documented rule the schema cannot express (the YAML must be
a mapping with bundle.name, …): the reference answers those with 400. Such a 400 is accepted
when its detail is one of those rules; any other rejection of valid data still fails.

The full ``GET /smoke-tests`` is left out: each call runs pytest in a subprocess for seconds;
tests/handlers/amplifier/test_service.py covers it.
"""
import pytest
import schemathesis
from hypothesis import settings

from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.contract.harness import CONTRACT_SETTINGS, schema_fixture

DOCUMENTED_RULES = ("Invalid YAML syntax:", "YAML content must be a mapping", "Config must have a 'bundle'",
                    "'providers' must be a list", "providers[0]")
FAST_ECHO = "bundle:\n  name: contract\nproviders:\n  - module: echo\n    config: {delay: 0}\n"

amplifier_schema = schema_fixture("amplifier")
schema = schemathesis.pytest.from_fixture("amplifier_schema").exclude(path="/smoke-tests", method="GET")


@pytest.fixture(autouse=True)
def only_amplifier(settings, monkeypatch):
    """Serve only this surface (building the app parses every spec)."""
    monkeypatch.setenv("AGENTDECK_SURFACES", "amplifier")


@pytest.fixture
def existing(app):
    """Ids of a config, a session on it and an application."""
    from agentdeck.amplifier import applications, configs, sessions

    config = configs.create_config("contract", FAST_ECHO)
    session = sessions.create_session(config.id)
    applications.register_application("contract-app", "Contract")
    return {"config_id": config.id, "session_id": session.id, "app_id": "contract-app"}


@schema.parametrize()
@CONTRACT_SETTINGS
def test_amplifier_contract(case, existing):
    _use_existing_ids(case, existing)
    response = case.call()
    case.validate_response(response, excluded_checks=[positive_data_acceptance] if _rule(response) else [])


def _use_existing_ids(case, existing: dict) -> None:
    """Point valid cases at existing resources (negative cases keep their invalid ids)."""
    if case.meta is not None and not case.meta.generation.mode.is_positive:
        return
    for name in set(case.path_parameters or {}) & set(existing):
        case.path_parameters[name] = existing[name]


def _rule(response) -> bool:
    """True for a 400 whose detail is one of the documented rules on config YAML."""
    if response.status_code != 400:
        return False
    detail = response.json().get("detail")
    return isinstance(detail, str) and detail.startswith(DOCUMENTED_RULES)


auth_schema = schemathesis.pytest.from_fixture("amplifier_auth_schema").exclude(path="/smoke-tests", method="GET")


@pytest.fixture
def amplifier_auth_schema(auth_required, amplifier_schema):
    """The spec as served with AUTH_REQUIRED=true (the key is the only security alternative)."""
    return amplifier_schema


@pytest.fixture
def auth_required(settings, monkeypatch):
    monkeypatch.setenv("AUTH_REQUIRED", "true")


@pytest.fixture
def caller_key(existing):
    """The key of the application the generated requests are sent with."""
    from agentdeck.amplifier.applications import register_application

    return register_application("contract-caller", "Contract caller")[1]


@auth_schema.parametrize()
@settings(CONTRACT_SETTINGS, max_examples=10)
def test_amplifier_contract_with_auth_required(case, existing, caller_key):
    _use_existing_ids(case, existing)
    if "X-API-Key" in (case.headers or {}):  # left out on purpose by cases that test its absence
        case.headers["X-API-Key"] = caller_key
    response = case.call()
    case.validate_response(response, excluded_checks=[positive_data_acceptance] if _rule(response) else [])
