"""``agentdeck amplifier applications``, as an operator runs it."""
import pytest
from click.testing import CliRunner

from agentdeck.cli import main


@pytest.fixture
def run(settings):
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, ["amplifier", "applications", *args])
    from agentdeck.storage.db import database

    if database.obj is not None and hasattr(database.obj, "close_all"):
        database.obj.close_all()


def test_create_admin_prints_a_working_key(run):
    result = run("create", "ops", "--name", "Operations", "--admin")
    assert result.exit_code == 0, result.output
    key = result.output.split("api key: ")[1].strip()
    from agentdeck.amplifier.applications import application_for_key

    app = application_for_key(key)
    assert app.app_id == "ops" and app.is_admin and app.app_name == "Operations"
    assert "ops  [active, admin]  Operations" in run("list").output


def test_set_flags_and_regenerate(run):
    run("create", "client")
    assert run("set", "client", "--inactive", "--admin").output.strip() == "client: inactive, admin"
    assert run("regenerate-key", "client").output.startswith("api key: app_")
    missing = run("set", "nobody", "--active")
    assert missing.exit_code != 0 and "Application not found" in missing.output
    assert run("create", "client").exit_code != 0
