"""Who may call what with AUTH_REQUIRED=true: one row per operation of the spec.

- ``public``: no key needed;
- ``any``: any active application's key;
- ``owner``: the application named by ``{app_id}`` itself, or an admin application;
- ``admin``: admin applications only.

A non-admin key naming another application (the admin one included) gets 403 without the target
being looked up, so an id that exists and one that does not get the same answer.
"""
import pytest

from agentdeck.amplifier.applications import register_application
from tests.handlers.amplifier.conftest import ECHO_YAML

SMOKE_PARAMS = {"pattern": "nothing-matches.py"}  # past the checks, then a quick 400, no pytest run

OPERATIONS = [
    # level, method, path, request keyword arguments
    ("public", "get", "/", {}),
    ("public", "get", "/health", {}),
    ("public", "get", "/version", {}),
    ("public", "get", "/redoc", {}),
    ("any", "post", "/sessions", {"json": {"config_id": "{config_id}"}}),
    ("any", "get", "/sessions", {}),
    ("any", "get", "/sessions/{session_id}", {}),
    ("any", "delete", "/sessions/{session_id}", {}),
    ("any", "post", "/sessions/{session_id}/resume", {}),
    ("any", "post", "/sessions/{session_id}/messages", {"json": {"message": "hi"}}),
    ("any", "post", "/sessions/{session_id}/stream", {"json": {"message": "hi"}}),
    ("any", "post", "/sessions/{session_id}/cancel", {}),
    ("any", "post", "/configs", {"json": {"name": "c", "yaml_content": ECHO_YAML}}),
    ("any", "get", "/configs", {}),
    ("any", "get", "/configs/{config_id}", {}),
    ("any", "put", "/configs/{config_id}", {"json": {"name": "renamed"}}),
    ("any", "delete", "/configs/{config_id}", {}),
    ("any", "get", "/smoke-tests/quick", {}),
    ("owner", "get", "/applications/{app_id}", {}),
    ("owner", "delete", "/applications/{app_id}", {}),
    ("owner", "post", "/applications/{app_id}/regenerate-key", {}),
    ("admin", "post", "/applications", {"json": {"app_id": "newcomer", "app_name": "New"}}),
    ("admin", "get", "/applications", {}),
    ("admin", "get", "/smoke-tests", {"params": SMOKE_PARAMS}),
]
SPEC_SECURITY = {"public": [], "any": None, "owner": [{"ownerKey": []}], "admin": [{"adminKey": []}]}


def rows(*levels):
    return [pytest.param(method, path, kwargs, id=f"{method.upper()} {path}")
            for level, method, path, kwargs in OPERATIONS if level in levels]


@pytest.fixture
def auth_on(settings, monkeypatch):
    monkeypatch.setenv("AUTH_REQUIRED", "true")


@pytest.fixture
def world(auth_on, amp):
    """An admin application, two plain ones, and a config with a session."""
    keys = {app_id: register_application(app_id, app_id.title(), is_admin=app_id == "ops")[1]
            for app_id in ("ops", "client-app", "other-app")}
    admin = {"X-API-Key": keys["ops"]}
    config = amp.post("/configs", json={"name": "c", "yaml_content": ECHO_YAML}, headers=admin)
    session = amp.post("/sessions", json={"config_id": config.json()["config_id"]}, headers=admin)
    return {"keys": keys, "config_id": config.json()["config_id"], "session_id": session.json()["session_id"]}


def call(amp, world, method, path, kwargs, *, key=None, app_id="client-app"):
    ids = {"config_id": world["config_id"], "session_id": world["session_id"], "app_id": app_id}
    kwargs = dict(kwargs)
    if "json" in kwargs:
        kwargs["json"] = {k: v.format(**ids) if isinstance(v, str) else v for k, v in kwargs["json"].items()}
    headers = {"X-API-Key": world["keys"][key]} if key else {}
    return amp.request(method.upper(), path.format(**ids), headers=headers, **kwargs)


def allowed(response) -> bool:
    """Past the key checks (SMOKE_PARAMS make the full smoke tests answer 400 once past them)."""
    return response.status_code < 300 or (response.status_code == 400 and "No bundled smoke test file" in response.text)


def test_every_operation_has_a_decision_and_the_served_spec_declares_it(world, amp):
    spec = amp.get("/openapi.json").json()
    served = {(method, path): operation.get("security") for path, item in spec["paths"].items()
              for method, operation in item.items() if method in {"get", "post", "put", "delete"}}
    assert set(served) == {(method, path) for _, method, path, _ in OPERATIONS}
    for level, method, path, _ in OPERATIONS:
        assert served[(method, path)] == SPEC_SECURITY[level], (method, path)
        description = spec["paths"][path][method].get("description", "")
        assert "**Who may call:**" in description, (method, path)
        if level in {"owner", "admin"}:
            assert "403" in spec["paths"][path][method]["responses"], (method, path)


@pytest.mark.parametrize("method, path, kwargs", rows("public"))
def test_public_operations_need_no_key(world, amp, method, path, kwargs):
    assert call(amp, world, method, path, kwargs).status_code == 200


@pytest.mark.parametrize("method, path, kwargs", rows("any", "owner", "admin"))
def test_everything_else_needs_a_key(world, amp, method, path, kwargs):
    assert call(amp, world, method, path, kwargs).status_code == 401


@pytest.mark.parametrize("method, path, kwargs", rows("any"))
def test_any_application_key_may_use_sessions_configs_and_quick_checks(world, amp, method, path, kwargs):
    response = call(amp, world, method, path, kwargs, key="client-app")
    assert allowed(response), response.text


@pytest.mark.parametrize("method, path, kwargs", rows("admin"))
def test_admin_only_operations_refuse_other_keys_and_admit_the_admin(world, amp, method, path, kwargs):
    refused = call(amp, world, method, path, kwargs, key="client-app")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Admin application required: this key may not do this"}
    assert allowed(call(amp, world, method, path, kwargs, key="ops"))


@pytest.mark.parametrize("target", ["ops", "other-app", "no-such-app"])
@pytest.mark.parametrize("method, path, kwargs", rows("owner"))
def test_a_key_may_not_reach_another_application_the_admin_one_included(world, amp, method, path, kwargs,
                                                                        target):
    refused = call(amp, world, method, path, kwargs, key="client-app", app_id=target)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "An application key may manage only its own application "
                                        "('client-app'); other applications need an admin key"}
    for app_id in ("ops", "other-app"):  # nothing changed: both keys still work
        assert amp.get(f"/applications/{app_id}", headers={"X-API-Key": world["keys"][app_id]}).status_code == 200


@pytest.mark.parametrize("method, path, kwargs", rows("owner"))
def test_a_key_may_manage_its_own_application(world, amp, method, path, kwargs):
    response = call(amp, world, method, path, kwargs, key="client-app", app_id="client-app")
    assert response.status_code == 200 and response.json()["message" if method == "delete" else "app_id"]


@pytest.mark.parametrize("target", ["other-app", "ops"])
@pytest.mark.parametrize("method, path, kwargs", rows("owner"))
def test_the_admin_key_may_manage_any_application(world, amp, method, path, kwargs, target):
    assert call(amp, world, method, path, kwargs, key="ops", app_id=target).status_code == 200


def test_an_admin_key_for_an_unknown_application_is_404(world, amp):
    response = amp.post("/applications/no-such-app/regenerate-key", headers={"X-API-Key": world["keys"]["ops"]})
    assert response.status_code == 404 and response.json() == {"detail": "Application not found"}


def test_a_plain_key_cannot_take_over_the_admin_application(world, amp):
    attacker = {"X-API-Key": world["keys"]["client-app"]}
    taken = amp.post("/applications/ops/regenerate-key", headers=attacker)
    assert taken.status_code == 403 and "api_key" not in taken.text
    assert amp.delete("/applications/ops", headers=attacker).status_code == 403
    assert amp.get("/smoke-tests", params=SMOKE_PARAMS, headers=attacker).status_code == 403
    admin = {"X-API-Key": world["keys"]["ops"]}
    assert amp.get("/applications", headers=admin).status_code == 200


def test_with_auth_off_keys_are_not_checked_so_any_caller_may_do_anything(settings, amp):
    _, key = register_application("client-app", "Client")
    register_application("ops", "Ops", is_admin=True)
    headers = {"X-API-Key": key}
    assert amp.post("/applications/ops/regenerate-key", headers=headers).status_code == 200
    assert amp.post("/applications/ops/regenerate-key").status_code == 200
    assert amp.get("/applications", headers=headers).status_code == 200
