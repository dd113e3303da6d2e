"""Schemathesis over the agtOS spec, with the onboarding setup token, no upstream reachable but
the offline echo provider, and the documented 5xx answers allowed where the spec lists them.

Schema-valid data may still break a rule the schema cannot state: a slot configuration's
providers, fallbacks and models (checked against the installed plugins and the catalog), and
images sent while the chat slot's provider takes none; slot names (OpenAPI 3.0 cannot pattern a
property name); and the per-operation rules in ``OPERATION_RULES``. Those 400s are accepted when
their `error` is one of those rules; any other rejection of valid data still fails.
"""
import socket

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (negative_data_rejection, positive_data_acceptance,
                                               unsupported_method)

from tests.contract.harness import CONTRACT_SETTINGS, schema_fixture, unreachable_catalog

agtos_schema = schema_fixture("agtos")
schema = schemathesis.pytest.from_fixture("agtos_schema")

#: Operations whose 5xx is a documented answer: unhealthy services, no voice pipeline, every
#: provider of a chain failing (a generated slot configuration may name only unreachable ones),
#: memory maintenance deferred by the resource guard (a busy test machine is a loaded host).
DOCUMENTED_5XX = {("GET", "/api/health"), ("GET", "/health"), ("GET", "/health/{serviceName}"),
                  ("GET", "/api/sessions"), ("POST", "/api/chat"), ("POST", "/api/chat/stream"),
                  ("POST", "/api/tasks"), ("POST", "/api/memory/maintain")}


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(autouse=True)
def unreachable_upstreams(monkeypatch, tmp_path):
    """Every upstream on a closed loopback port (no call leaves the machine), no API key."""
    from agentdeck.router import reset_router, upstreams

    monkeypatch.delenv("AGTOS_API_KEY", raising=False)
    # The contract, not the limits (tested in tests/handlers/agtos): schemathesis sends hundreds.
    monkeypatch.setenv("API_RATE_LIMIT", "100000000")
    monkeypatch.setenv("CHAT_RATE_LIMIT", "100000000")
    for name in ("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENROUTER_BASE_URL", "OLLAMA_HOST"):
        monkeypatch.setenv(name, _closed_port_url())
    monkeypatch.setenv("AGENTDECK_ROUTER_TIMEOUT", "2")
    monkeypatch.setenv("AGENTDECK_AGTOS_MODEL_CATALOG", unreachable_catalog(tmp_path))
    upstreams.forget_ollama_probe()
    reset_router()
    yield
    reset_router()


@pytest.fixture
def credentials(app):
    from agentdeck.agtos.platform.setup_token import current_token

    return {"X-Setup-Token": current_token()}


STATE_RULES = ("slot '", "slot name ", "the chat slot is required", "Deprecated model(s)", "The chat model's provider")

#: Per operation, further 400s for rules the schema cannot state, by the start of their `error`:
#: the installed importers (state), the path's entity named again in the body, and a task's
#: fields, which the reference checks itself (its messages; `cron` needs `expression` ...).
OPERATION_RULES = {
    ("POST", "/api/memory/import"): ("Unknown source: ",),
    ("POST", "/api/entities/{id}/merge"): ("Cannot merge an entity into itself",),
    ("POST", "/api/scheduler/tasks"): ("Missing or invalid field: ", "Cron schedule requires", "Invalid cron expression",
                                       "Unknown timezone", "Once schedule requires", "Invalid atTimestamp",
                                       "Interval schedule requires"),
}


@schema.parametrize()
@CONTRACT_SETTINGS
def test_agtos_contract(case, credentials):
    response = case.call(headers=credentials)
    excluded = []
    if (case.operation.method.upper(), case.operation.path) in DOCUMENTED_5XX:
        excluded.append(not_a_server_error)
    if _state_rule(response, STATE_RULES + OPERATION_RULES.get(
            (case.operation.method.upper(), case.operation.path), ())):
        excluded.append(positive_data_acceptance)
    if _undeclared_query(case):
        # Unknown query parameters are ignored, not refused (Connexion's default, and upstream's).
        excluded.append(negative_data_rejection)
    if case.operation.path == "/api/credentials/validate":
        # DELETE there is DELETE /api/credentials/{providerId} with an id its pattern refuses
        # (400, `provider-` prefix): the paths overlap, so no other method is "undeclared".
        excluded.append(unsupported_method)
    case.validate_response(response, headers=credentials, excluded_checks=excluded)


def _undeclared_query(case) -> bool:
    declared = {p.name for p in case.operation.query}
    return bool(set(case.query or {}) - declared)


def _state_rule(response, rules: tuple[str, ...]) -> bool:
    """True for a 400 whose error is one of ``rules``."""
    if response.status_code != 400:
        return False
    error = response.json().get("error")
    return isinstance(error, str) and error.startswith(rules)


keyed_schema = schemathesis.pytest.from_fixture("agtos_keyed_schema")


@pytest.fixture
def api_key_set(settings, monkeypatch):
    monkeypatch.setenv("AGTOS_API_KEY", "contract-key")


@pytest.fixture
def agtos_keyed_schema(api_key_set, agtos_schema):
    """The spec as served with AGTOS_API_KEY set (the bearer on every non-exempt operation)."""
    return agtos_schema


@keyed_schema.parametrize()
@settings(CONTRACT_SETTINGS, max_examples=10)  # the same checks; what differs is the credential
def test_agtos_contract_with_the_api_key(case):
    test_agtos_contract.hypothesis.inner_test(case, {"Authorization": "Bearer contract-key"})
