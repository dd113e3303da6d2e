import pytest
import schemathesis

_COMMANDS = ({"type": "pause"}, {"type": "resume"}, {"type": "kill"},
             {"type": "inject_hint", "payload": {"text": "look below the fold"}},
             {"type": "override_action", "payload": {"coordinates": {"x": 640, "y": 412.5}}})


@pytest.fixture(autouse=True)
def short_command_hold(settings, monkeypatch):
    """Augur's command long-poll answers an empty poll after 50 ms, not the default seconds."""
    monkeypatch.setenv("AGENTDECK_AUGUR_COMMAND_HOLD_SECONDS", "0.05")


@schemathesis.hook
def before_call(context, case, kwargs):
    """The spec says only that a command has a string `type` and an object `payload`; which
    types exist and the payload each takes are checked by the server (400, tested in
    tests/handlers/augur). Schema-valid bodies are sent as real commands."""
    if (case.operation.method.upper(), case.operation.path) != ("POST", "/api/v1/runs/{run_id}/commands"):
        return
    body = case.body
    if (isinstance(body, dict) and set(body) <= {"type", "payload"} and isinstance(body.get("type"), str)
            and len(body["type"]) <= 64 and isinstance(body.get("payload"), (dict, type(None)))):
        case.body = dict(_COMMANDS[len(body["type"]) % len(_COMMANDS)])
