"""Schemathesis over the Augur spec, with a DSN bearer key and an admin's session cookie, and a
run (``run_abc``, the spec's example) that has a step, events, a screenshot, model I/O and a log."""
import pytest
import schemathesis

from tests.augur.world import PASSWORD, AugurWorld, only_augur, png_bytes  # noqa: F401  (fixture)
from tests.contract.harness import CONTRACT_SETTINGS, run_case, schema_fixture

augur_schema = schema_fixture("augur")
schema = schemathesis.pytest.from_fixture("augur_schema")


def _seed(sdk) -> None:
    sdk.post("/augur/api/v1/runs", json={"run_id": "run_abc", "client_name": "contract"})
    sdk.put("/augur/api/v1/runs/run_abc/steps/0", json={"step_index": 0, "action": {"type": "click"}})
    sdk.post("/augur/api/v1/runs/run_abc/events", json={"events": [{"kind": "planner"}], "step_index": 3})
    sdk.post("/augur/api/v1/runs/run_abc/screenshots/0/post", files={"image": ("a.png", png_bytes(), "image/png")})
    sdk.post("/augur/api/v1/runs/run_abc/modelio/0003-planner-0.json", json={"layer": "planner"})
    sdk.post("/augur/api/v1/runs/run_abc/logs", json={"text": "ERROR once\n"})


@pytest.fixture
def credentials(app):
    world = AugurWorld(app)
    tenant = world.tenant("acme")
    world.tenant("globex")
    world.user("admin@acme.example", tenant, is_admin=True)
    key = world.dsn_key(tenant)
    _seed(world.sdk(key))
    viewer = world.viewer("admin@acme.example")
    return {"Authorization": f"Bearer {key}", "Cookie": f"augur_session={viewer.cookies['augur_session']}"}


@schema.parametrize()
@CONTRACT_SETTINGS
def test_augur_contract(case, credentials):
    run_case(case, credentials)


@schemathesis.hook("map_body").apply_to(method="POST", path="/api/v1/runs/{run_id}/screenshots/{step_index}/{kind}")
def png_images(context, body):
    """The spec can only say `format: binary`; the reference also requires a PNG signature (415
    otherwise, tested in tests/handlers/augur). Schema-valid uploads are made real PNGs."""
    if isinstance(body, dict) and isinstance(body.get("image"), (bytes, str)):
        return {**body, "image": png_bytes(len(body["image"]))}
    return body
