"""``agentdeck augur ...`` as an operator uses it: bootstrap a tenant, a user and a DSN, then the
SDK and the viewer work with what the commands printed."""
from __future__ import annotations

import io
import json
import tarfile

from click.testing import CliRunner

from agentdeck.cli import main

from tests.augur.world import API, PASSWORD


def _invoke(*args, input=None):
    result = CliRunner().invoke(main, ["augur", *args], input=input, catch_exceptions=False)
    return result


def test_operator_bootstrap_then_sdk_and_viewer_work(client, app):
    created = _invoke("user-create", "ops@acme.example", "--tenant", "acme", "--admin", "--password", PASSWORD)
    assert created.exit_code == 0, created.output
    assert "created tenant acme" in created.output
    issued = _invoke("dsn-issue", "--tenant", "acme", "--label", "laptop", "--json")
    assert issued.exit_code == 0, issued.output
    dsn = json.loads(issued.stdout)
    assert dsn["dsn"].endswith(f"/augur/api/v1?token={dsn['api_key']}&tenant=acme")

    headers = {"Authorization": f"Bearer {dsn['api_key']}"}
    assert client.post(f"{API}/runs", json={"run_id": "run_abc"}, headers=headers).status_code == 201
    assert client.post(f"{API}/runs/run_abc/modelio/0000-p-0.json", json={}, headers=headers).status_code == 403
    assert _invoke("tenant-update", "acme", "--modelio-capture", "on").exit_code == 0
    assert client.post(f"{API}/runs/run_abc/modelio/0000-p-0.json", json={}, headers=headers).status_code == 201

    assert client.post(f"{API}/auth/login", json={"email": "ops@acme.example", "password": PASSWORD}).status_code == 200
    assert client.get(f"{API}/runs").json()["total"] == 1
    assert client.get(f"{API}/admin/tenants").status_code == 200

    listed = _invoke("dsn-list", "--tenant", "acme")
    assert dsn["key_prefix"] in listed.output and dsn["api_key"] not in listed.output
    assert _invoke("dsn-revoke", dsn["id"]).exit_code == 0
    assert client.post(f"{API}/heartbeat", json={"client_id": "c"}, headers=headers).status_code == 403
    assert "revoked" in _invoke("dsn-list", "--tenant", "acme").output


def test_plain_dsn_issue_output_prints_key_and_dsn(app):
    result = _invoke("dsn-issue", "--tenant", "globex")
    assert result.exit_code == 0
    assert "api key (shown once): " in result.output and "AUGUR_DSN=http://" in result.output


def test_errors_are_messages_not_tracebacks(app):
    assert _invoke("tenant-create", "acme").exit_code == 0
    duplicate = _invoke("tenant-create", "acme")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    bad = _invoke("tenant-create", "Not A Slug")
    assert bad.exit_code == 1 and "invalid tenant slug" in bad.output
    short = _invoke("user-create", "x@acme.example", "--tenant", "acme", "--password", "short")
    assert short.exit_code == 1 and "at least 8" in short.output
    assert _invoke("dsn-list", "--tenant", "nope").exit_code == 1
    assert _invoke("export", "nope", "--tenant", "acme").exit_code == 1


def test_password_is_prompted_when_omitted(app):
    result = _invoke("user-create", "p@acme.example", "--tenant", "acme", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output


def test_tenant_list_and_export(client, app, tmp_path):
    issued = json.loads(_invoke("dsn-issue", "--tenant", "acme", "--json").stdout)
    headers = {"Authorization": f"Bearer {issued['api_key']}"}
    client.post(f"{API}/runs", json={"run_id": "r1"}, headers=headers)
    client.put(f"{API}/runs/r1/steps/0", json={"a": 1}, headers=headers)
    assert "runs=1" in _invoke("tenant-list").output
    target = tmp_path / "r1.tar.gz"
    result = _invoke("export", "r1", "--tenant", "acme", "-o", str(target))
    assert result.exit_code == 0, result.output
    with tarfile.open(fileobj=io.BytesIO(target.read_bytes())) as archive:
        assert json.loads(archive.extractfile("r1/steps/0000.json").read()) == {"a": 1}
