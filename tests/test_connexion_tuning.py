"""Request validation keeps each compiled schema validator, and answers exactly as Connexion does."""
from __future__ import annotations

import pytest
from connexion.validators import ParameterValidator

from agentdeck import connexion_tuning as validation
from agentdeck.connexion_tuning import KeptParameterValidator

PARAMS = [
    {"name": "step_index", "in": "path", "required": True,
     "schema": {"type": "integer", "minimum": 0, "maximum": 99999}},
    {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": ["pre", "post"]}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "nullable": True}},
    {"name": "cursor", "in": "query", "required": True, "schema": {"type": "string", "pattern": "^[a-z]+$"}},
]
VALUES = [0, 5, -1, 100000, "pre", "side", None, "null", "abc", "ABC", 3.5, True]


@pytest.mark.parametrize("param", PARAMS, ids=[p["name"] for p in PARAMS])
def test_parameter_messages_match_connexion(param):
    for value in VALUES:
        ours = KeptParameterValidator.validate_parameter(param["in"], value, param)
        theirs = ParameterValidator.validate_parameter(param["in"], value, param)
        assert ours == theirs, value


def test_each_schema_is_compiled_once(client, settings):
    def run():
        # One valid and one invalid body on the same operation, and a bad path parameter.
        client.post("/augur/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x"})
        client.post("/augur/api/v1/auth/login", json={"email": 5, "password": "x"})
        client.get("/augur/api/v1/runs/x/steps/not-a-number.json")

    run()
    compiled = dict(validation._compiled)
    assert compiled, "validators were not kept"
    run()
    assert validation._compiled == compiled
    bad = client.post("/augur/api/v1/auth/login", json={"email": 5, "password": "x"})
    assert bad.status_code == 422
    assert "5 is not of type 'string'" in bad.json()["detail"]


@pytest.mark.parametrize("headers", [
    [],
    [(b"content-type", b"application/json; charset=utf-8")],
    [(b"Content-Type", b"text/plain"), (b"x-other", b"1"), (b"content-type", b"application/json")],
    {"Content-Type": "multipart/form-data; boundary=x"},
    {"accept": "application/json"},
])
def test_content_type_matches_connexion(headers):
    assert validation.extract_content_type(headers) == validation._original_extract_content_type(headers)


def test_install_refuses_a_connexion_without_the_replaced_functions(monkeypatch):
    import connexion.utils

    monkeypatch.delattr(connexion.utils, "extract_content_type")
    with pytest.raises(RuntimeError, match="extract_content_type"):
        validation.install()


def test_handlers_are_decorated_once(client, settings):
    """The second request to an operation reuses the handler chain built by the first."""
    from connexion.apps.asynchronous import AsyncOperation

    calls = []
    original = AsyncOperation.__dict__["fn"].fget

    def counting(self):
        calls.append("_agentdeck_handler" in self.__dict__)
        return original(self)

    try:
        AsyncOperation.fn = property(counting)
        for _ in range(3):
            assert client.get("/augur/api/v1/healthz").status_code == 200
    finally:
        AsyncOperation.fn = property(original)
    assert calls == [False, True, True]
