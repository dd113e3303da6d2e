"""The operator's bootstrap flow: create an app, publish it, issue a user token."""
import re

from click.testing import CliRunner

from agentdeck.cli import main


def test_create_publish_and_use_the_printed_key(client):
    runner = CliRunner()
    result = runner.invoke(main, ["augmentos", "app-create", "--package", "com.example.cli", "--name", "CLI App",
                                  "--public-url", "http://127.0.0.1:9", "--developer-profile", '{"company": "Acme"}'])
    assert result.exit_code == 0, result.output
    api_key = re.search(r"API key \(shown once\): (\S+)", result.output).group(1)
    assert client.get("/augmentos/api/apps/com.example.cli").status_code == 404
    assert runner.invoke(main, ["augmentos", "app-publish", "com.example.cli"]).exit_code == 0
    app = client.get("/augmentos/api/apps/com.example.cli").json()["data"]
    assert app["developerProfile"] == {"company": "Acme"}
    response = client.post("/augmentos/api/tpa-server/register", json={
        "packageName": "com.example.cli", "apiKey": api_key, "webhookUrl": "http://127.0.0.1:9/webhook"})
    assert response.status_code == 201

    rotated = runner.invoke(main, ["augmentos", "app-rotate-key", "com.example.cli"])
    new_key = re.search(r"\(shown once\): (\S+)", rotated.output).group(1)
    old = client.post("/augmentos/api/tpa-server/register", json={
        "packageName": "com.example.cli", "apiKey": api_key, "webhookUrl": "http://127.0.0.1:9/webhook"})
    assert old.status_code == 401 and new_key != api_key


def test_user_token_authenticates(client):
    result = CliRunner().invoke(main, ["augmentos", "user-token", "--user", "alice@example.com"])
    token = re.search(r"\(shown once\): (\S+)", result.output).group(1)
    response = client.get("/augmentos/api/app-sessions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json() == {"success": True, "data": []}
