"""``schemathesis run --checks all`` (positive and negative data, every response check, SSE event
schemas, the stateful phase over the specs' links), authenticated, against a real agentdeck
server for every served spec: what a client generator or a contract-testing user runs.

The repository's ``schemathesis.toml`` says, per operation, which statuses valid data may get
for the rules JSON Schema cannot state, and why. A surface added later joins ``SURFACES`` here.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.augur.world import AugurWorld, png_bytes
from tests.contract.harness import unreachable_catalog

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
# The repository's config, run from the test's own directory (schemathesis keeps a cache there).
CONFIG = ["--config-file", str(ROOT / "schemathesis.toml")]
ECHO = "bundle:\n  name: contract\nproviders:\n  - module: echo\n    config: {delay: 0}\n"


def _augur(app, tpa_server: str) -> dict:
    world = AugurWorld(app)
    tenant = world.tenant("acme")
    world.user("admin@acme.example", tenant, is_admin=True)
    key = world.dsn_key(tenant)
    sdk = world.sdk(key)
    sdk.post("/augur/api/v1/runs", json={"run_id": "run_abc", "client_name": "contract"})
    sdk.put("/augur/api/v1/runs/run_abc/steps/0", json={"step_index": 0, "action": {"type": "click"}})
    sdk.post("/augur/api/v1/runs/run_abc/screenshots/0/post", files={"image": ("a.png", png_bytes(), "image/png")})
    viewer = world.viewer("admin@acme.example")
    return {"Authorization": f"Bearer {key}", "Cookie": f"augur_session={viewer.cookies['augur_session']}"}


def _augmentos(app, tpa_server: str) -> dict:
    from agentdeck.augmentos import apps
    from agentdeck.augmentos.users import issue_core_token

    _, api_key = apps.create_app("com.example.contract", "Contract", public_url=tpa_server)
    apps.set_store_status("com.example.contract", "PUBLISHED")
    return {"X-API-Key": api_key, "X-Package-Name": "com.example.contract",
            "Authorization": f"Bearer {issue_core_token('contract@example.com')}"}


def _amplifier(app, tpa_server: str) -> dict:
    from agentdeck.amplifier import configs

    configs.create_config("contract", ECHO)
    return {}


def _agtos(app, tpa_server: str) -> dict:
    from agentdeck.agtos.platform.setup_token import current_token

    return {"X-Setup-Token": current_token()}


def _owlette(app, tpa_server: str) -> dict:
    from agentdeck.owlette import accounts, apikeys, sessions, sites

    admin = accounts.create_user("admin@example.com", "contract-pass", is_admin=True)
    sites.create_site("nyc-office", "NYC Office", admin.email)
    key = apikeys.create_key(admin.id, "contract")["key"]
    return {"x-api-key": key, "Cookie": f"__session={sessions.open_session(admin).cookie}"}


def _platform(app, tpa_server: str) -> dict:
    return {}


# surface -> (spec path under the server, credentials maker, extra CLI arguments)
SURFACES = {
    "platform": ("/openapi.json", _platform, []),
    "augmentos": ("/augmentos/openapi.json", _augmentos, []),
    "augur": ("/augur/api/v1/openapi.json", _augur, []),
    # The full smoke-test run starts pytest in a subprocess for seconds per call
    # (tests/handlers/amplifier/test_service.py covers it).
    "amplifier": ("/amplifier/openapi.json", _amplifier, ["--exclude-path", "/smoke-tests"]),
    "owlette": ("/owlette/openapi.json", _owlette, []),
    "agtos": ("/agtos/openapi.json", _agtos, []),
}


@pytest.fixture(autouse=True)
def only_augur():
    """Every surface is served (the Augur helpers' fixture would serve Augur alone)."""


@pytest.fixture(autouse=True)
def unreachable_upstreams(monkeypatch, tmp_path):
    """Every LLM upstream on a closed loopback port, no API key: nothing leaves the machine."""
    import socket

    from agentdeck.router import reset_router, upstreams

    monkeypatch.delenv("AGTOS_API_KEY", raising=False)
    for name in ("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENROUTER_BASE_URL", "OLLAMA_HOST"):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            monkeypatch.setenv(name, f"http://127.0.0.1:{sock.getsockname()[1]}")
    monkeypatch.setenv("AGENTDECK_ROUTER_TIMEOUT", "2")
    monkeypatch.setenv("AGENTDECK_AGTOS_MODEL_CATALOG", unreachable_catalog(tmp_path))
    upstreams.forget_ollama_probe()
    reset_router()
    yield
    reset_router()


@pytest.fixture(autouse=True)
def generous_rate_limits(settings, monkeypatch):
    """Limits and holds out of the generated requests' way (tests/handlers/*/test_*limit*.py and
    the owlette fleet tests prove them)."""
    monkeypatch.setenv("AGENTDECK_OWLETTE_API_RATE_LIMIT", "1000000")
    # Sends with wait and provision-key hold for an agent nobody runs here: a second, not 120.
    monkeypatch.setenv("AGENTDECK_OWLETTE_WAIT_CAP", "1")


@pytest.fixture
def tpa_server():
    """An AugmentOS app server on loopback that accepts every session request."""
    from tests.support.receiver import WebhookReceiver

    with WebhookReceiver().serve() as server:
        yield server.url


@pytest.mark.parametrize("surface", list(SURFACES))
def test_schemathesis_with_every_check_finds_nothing(surface, app, live_server, tpa_server, tmp_path):
    spec, credentials, extra = SURFACES[surface]
    headers = [arg for name, value in credentials(app, tpa_server).items() for arg in ("-H", f"{name}: {value}")]
    command = [SCHEMATHESIS, *CONFIG, "run", f"{live_server}{spec}", "--checks", "all", "--mode", "all",
               "--max-examples", "15", "--seed", "1", "--generation-deterministic", "--no-color",
               # generous: a slow answer on a busy machine is the benches' business (bench/)
               "--warnings", "off", "--request-timeout", "120",
               # The credentials are fixed; tests/handlers/*/test_auth*.py prove each refusal.
               "--generation-with-security-parameters", "false", *headers, *extra]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    _assert_clean(result, tmp_path)


def _assert_clean(result, tmp_path):
    """The run found nothing; else its end, and where its whole report was written."""
    if result.returncode != 0:
        report = tmp_path / "schemathesis-report.txt"
        report.write_text(result.stdout + result.stderr)
        raise AssertionError(f"whole report: {report}\n" + result.stdout[-12000:] + result.stderr[-2000:])


@pytest.fixture
def auth_required(settings, monkeypatch):
    monkeypatch.setenv("AUTH_REQUIRED", "true")


def test_amplifier_with_auth_required_and_the_admin_key_finds_nothing(auth_required, app, live_server, tmp_path):
    """With AUTH_REQUIRED=true and the admin application's key, every operation's success path
    is reachable (a plain key's refusals are proved per operation in test_privilege.py)."""
    from agentdeck.amplifier import applications, configs

    configs.create_config("contract", ECHO)
    _, key = applications.register_application("contract-admin", "Contract admin", is_admin=True)
    command = [SCHEMATHESIS, *CONFIG, "run", f"{live_server}/amplifier/openapi.json", "--checks", "all",
               "--mode", "all", "--max-examples", "15", "--seed", "1", "--generation-deterministic",
               "--no-color", "--warnings", "off", "--request-timeout", "120",
               "--generation-with-security-parameters", "false", "-H", f"X-API-Key: {key}",
               "--exclude-path", "/smoke-tests"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    _assert_clean(result, tmp_path)
