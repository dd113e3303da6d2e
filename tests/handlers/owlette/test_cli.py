"""The operator's commands: an admin and a site from the CLI, then signing in with them."""
from __future__ import annotations

from click.testing import CliRunner

from agentdeck.cli import main
from tests.handlers.owlette.conftest import sign_in


def _run(*args):
    result = CliRunner().invoke(main, ["owlette", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_operator_creates_an_admin_a_site_and_a_member(owlette, client):
    assert "(admin)" in _run("user-create", "root@example.com", "--password", "s3cret-pass", "--admin")
    _run("user-create", "ops@example.com", "--password", "s3cret-pass")
    _run("site-create", "nyc-office", "--name", "NYC Office", "--owner", "root@example.com")
    _run("site-add-member", "nyc-office", "ops@example.com")
    listing = _run("site-list")
    assert "nyc-office\tNYC Office\towner=root@example.com\tmembers=ops@example.com" in listing
    assert "root@example.com\tadmin" in _run("user-list")
    sign_in(client, "ops@example.com", "s3cret-pass")
    assert client.get("/owlette/api/admin/sites").json()["sites"][0]["role"] == "member"
    _run("site-remove-member", "nyc-office", "ops@example.com")
    assert client.get("/owlette/api/admin/sites").json()["sites"] == []


def test_duplicates_and_unknown_users_are_cli_errors(owlette, client):
    _run("user-create", "root@example.com", "--password", "s3cret-pass")
    again = CliRunner().invoke(main, ["owlette", "user-create", "root@example.com", "--password", "s3cret-pass"])
    assert again.exit_code != 0 and "already exists" in again.output
    missing = CliRunner().invoke(main, ["owlette", "site-add-member", "nyc-office", "root@example.com"])
    assert missing.exit_code != 0 and "No site nyc-office" in missing.output


def test_password_change_ends_sessions(owlette, client):
    _run("user-create", "ops@example.com", "--password", "s3cret-pass")
    sign_in(client, "ops@example.com", "s3cret-pass")
    _run("user-set-password", "ops@example.com", "--password", "new-s3cret-pass")
    assert client.get("/owlette/api/admin/sites").status_code == 401
    assert sign_in(client, "ops@example.com", "new-s3cret-pass").status_code == 200
