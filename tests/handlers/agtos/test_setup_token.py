"""The onboarding setup token: loopback only, 30 minutes, one per database, none with a key."""
from datetime import timedelta

from agentdeck.storage.models.agtos import AgtosSetupToken


def test_a_loopback_client_gets_the_token(local):
    response = local.get("/agtos/api/setup-token")
    assert response.status_code == 200
    assert len(response.json()["token"]) == 64


def test_a_remote_client_is_refused(remote):
    response = remote.get("/agtos/api/setup-token")
    assert response.status_code == 403
    assert response.json() == {"error": "Setup token only available from localhost"}


def test_every_start_on_one_database_hands_out_the_same_token(app, local):
    from agentdeck.app import create_app

    first = local.get("/agtos/api/setup-token").json()["token"]
    create_app()  # another worker starting on the same database
    assert local.get("/agtos/api/setup-token").json()["token"] == first


def test_an_expired_token_is_404(local):
    row = AgtosSetupToken.get()
    AgtosSetupToken.update(expires_at=row.created_at - timedelta(seconds=1)).execute()
    response = local.get("/agtos/api/setup-token")
    assert response.status_code == 404
    assert response.json() == {"error": "No setup token available"}


def test_there_is_none_when_an_api_key_is_set(api_key, local):
    assert local.get("/agtos/api/setup-token").status_code == 404
    assert local.get("/agtos/api/setup-token", headers=api_key).status_code == 404


def test_the_token_lives_thirty_minutes(app):
    row = AgtosSetupToken.get()
    assert row.expires_at - row.created_at == timedelta(minutes=30)
