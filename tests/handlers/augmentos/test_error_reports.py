"""Error reports: stored, attributed by core token, bounded, listed for operators."""
from click.testing import CliRunner

from agentdeck.augmentos.users import issue_core_token
from agentdeck.cli import main
from agentdeck.storage.models.augmentos import ErrorReport

PATH = "/augmentos/api/error-report"


def test_reports_are_attributed_by_any_token_form(client):
    token = issue_core_token("alice@example.com")
    client.post(PATH, json={"component": "A"}, headers={"Authorization": f"Bearer {token}"})
    client.post(PATH, json={"component": "B"}, headers={"x-core-token": token})
    client.post(PATH, json={"component": "C", "coreToken": token})
    client.post(PATH, json={"component": "D", "coreToken": "not-a-token"})
    users = {r.report["component"]: r.user_id for r in ErrorReport.select()}
    assert users == {"A": "alice@example.com", "B": "alice@example.com", "C": "alice@example.com", "D": "anonymous"}
    assert all("coreToken" not in r.report for r in ErrorReport.select())


def test_oversized_report_is_413(client):
    response = client.post(PATH, json={"stackTrace": "x" * 70000})
    assert response.status_code == 413 and response.json()["success"] is False


def test_non_object_body_is_400(client):
    response = client.post(PATH, json=["not", "an", "object"])
    assert response.status_code == 400 and response.json()["success"] is False


def test_operator_lists_reports_with_cli(client):
    client.post(PATH, json={"component": "GlassesClient", "errorMessage": "Bluetooth connection lost"})
    result = CliRunner().invoke(main, ["augmentos", "error-reports"])
    assert result.exit_code == 0, result.output
    assert "Bluetooth connection lost" in result.output and "anonymous" in result.output
