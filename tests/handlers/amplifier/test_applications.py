"""Applications: keys shown once and stored hashed, listing without keys, regeneration."""
from agentdeck.security.tokens import hash_token


def register(amp, app_id="my-mobile-app", app_name="My Mobile App"):
    return amp.post("/applications", json={"app_id": app_id, "app_name": app_name})


def test_register_shows_the_key_once_and_stores_only_its_digest(amp):
    response = register(amp)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"app_id", "app_name", "api_key", "is_active", "created_at"}
    assert body["api_key"].startswith("app_") and len(body["api_key"]) > 36
    assert body["is_active"] is True
    from agentdeck.storage.models.amplifier import AmplifierApplication

    stored = AmplifierApplication.get_by_id("my-mobile-app")
    assert stored.key_hash == hash_token(body["api_key"]) and body["api_key"] not in stored.key_hash


def test_list_and_get_never_show_keys(amp):
    key = register(amp).json()["api_key"]
    register(amp, "second", "Second")
    listed = amp.get("/applications")
    assert [a["app_id"] for a in listed.json()] == ["my-mobile-app", "second"]
    assert key not in listed.text and "api_key" not in listed.text
    one = amp.get("/applications/my-mobile-app").json()
    assert set(one) == {"app_id", "app_name", "is_active", "created_at", "updated_at"}


def test_duplicate_is_409(amp):
    register(amp)
    response = register(amp)
    assert response.status_code == 409 and response.json() == {"detail": "Application 'my-mobile-app' already exists"}


def test_regenerate_gives_a_new_key(amp):
    old = register(amp).json()["api_key"]
    response = amp.post("/applications/my-mobile-app/regenerate-key")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "API key regenerated successfully" and body["api_key"] != old


def test_delete_and_unknown(amp):
    register(amp)
    response = amp.delete("/applications/my-mobile-app")
    assert response.json() == {"message": "Application 'my-mobile-app' deleted successfully"}
    for call in (amp.get("/applications/my-mobile-app"), amp.delete("/applications/my-mobile-app"),
                 amp.post("/applications/my-mobile-app/regenerate-key")):
        assert call.status_code == 404 and call.json() == {"detail": "Application not found"}


def test_app_id_shape_is_checked(amp):
    response = amp.post("/applications", json={"app_id": "has spaces/and slash", "app_name": "x"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "app_id"]
    assert amp.post("/applications", json={"app_id": "x"}).json()["detail"][0]["loc"] == ["body", "app_name"]
