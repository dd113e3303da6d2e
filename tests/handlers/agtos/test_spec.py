"""The agtOS spec: every operation says who may call it, and the exempt ones are exactly the
reference's list."""
import pytest

from agentdeck.settings import Settings
from agentdeck.specs import load_spec

METHODS = {"get", "put", "post", "delete", "patch"}
EXEMPT = {("GET", "/health"), ("GET", "/health/metrics"), ("GET", "/health/{serviceName}"),
          ("GET", "/metrics"), ("POST", "/api/credentials/validate"), ("GET", "/api/setup-token")}
SETUP_TOKEN_ALTERNATIVE = {("POST", "/api/credentials"), ("DELETE", "/api/credentials"),
                           ("DELETE", "/api/credentials/{providerId}")}


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


@pytest.mark.parametrize("api_key", ["", "a-key"])
def test_who_may_call_each_operation(api_key):
    spec = load_spec("agtos.yaml", Settings(agtos_api_key=api_key))
    default = spec.get("security", [])
    assert default == ([{"apiKey": []}] if api_key else [])
    for method, path, operation in operations(spec):
        assert "Who may call:" in operation["description"], (method, path)
        security = operation.get("security", default)
        if (method, path) in EXEMPT:
            assert security == [], (method, path)
        elif (method, path) in SETUP_TOKEN_ALTERNATIVE:
            assert security == ([{"apiKey": []}] if api_key else []) + [{"setupToken": []}], (method, path)
        else:
            assert security == default, (method, path)
            if api_key:
                assert "401" in operation["responses"], (method, path)
