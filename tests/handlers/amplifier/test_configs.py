"""Configs: YAML checked on the way in, stored as sent, partial updates, pagination."""
import pytest

from tests.handlers.amplifier.conftest import ECHO_YAML, create_config

REFERENCE_YAML = ("bundle:\n  name: dev-bundle\n  version: 1.0.0\n\nincludes:\n  - bundle: foundation\n\n"
                  "providers:\n  - module: provider-anthropic\n    config:\n      api_key: ${ANTHROPIC_API_KEY}\n"
                  "      model: claude-sonnet-4-5\n\nsession:\n  orchestrator: loop-basic\n  context: context-simple\n")


def test_create_returns_the_reference_shape_and_keeps_yaml_as_sent(amp, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-must-not-leak")
    response = amp.post("/configs", json={"name": "my-config", "description": "Development configuration",
                                          "yaml_content": REFERENCE_YAML, "tags": {"env": "dev"}})
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Config created successfully"
    assert body["name"] == "my-config" and body["tags"] == {"env": "dev"}
    assert body["created_at"].endswith("Z") and body["updated_at"] == body["created_at"]
    fetched = amp.get(f"/configs/{body['config_id']}").json()
    assert fetched["yaml_content"] == REFERENCE_YAML
    assert "sk-ant-must-not-leak" not in amp.get(f"/configs/{body['config_id']}").text
    assert "message" not in fetched


@pytest.mark.parametrize("yaml_content, detail", [
    ("bundle: [unclosed", "Invalid YAML syntax"),
    ("- just\n- a list\n", "must be a mapping"),
    ("", "must be a mapping"),
    ("plain words", "must be a mapping"),
    ("bundle:\n  version: 1\n", "bundle.name is required"),
    ("name: no-bundle-section\n", "bundle.name is required"),
    ("bundle:\n  name: x\nproviders: provider-openai\n", "'providers' must be a list"),
    ("bundle:\n  name: x\nproviders:\n  - config: {}\n", "must have a 'module'"),
])
def test_invalid_yaml_is_a_400_saying_which_rule(amp, yaml_content, detail):
    response = amp.post("/configs", json={"name": "bad", "yaml_content": yaml_content})
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert amp.get("/configs").json()["total"] == 0


def test_unsafe_yaml_tags_are_refused(amp):
    response = amp.post("/configs", json={"name": "evil", "yaml_content": "bundle: !!python/object/apply:os.system ['true']"})
    assert response.status_code == 400 and "Invalid YAML syntax" in response.json()["detail"]


def test_missing_field_is_422_with_loc(amp):
    response = amp.post("/configs", json={"name": "no-yaml"})
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["body", "yaml_content"], "msg": "field required",
                                           "type": "value_error.missing"}]}
    wrong_type = amp.post("/configs", json={"name": "x", "yaml_content": ECHO_YAML, "tags": {"a": 1}})
    assert wrong_type.status_code == 422 and wrong_type.json()["detail"][0]["loc"] == ["body", "tags", "a"]


def test_list_is_paginated_newest_first_with_total(amp):
    ids = [create_config(amp, name=f"c{i}") for i in range(5)]
    page = amp.get("/configs", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 5
    assert [c["config_id"] for c in page["configs"]] == ids[::-1][1:3]
    assert "yaml_content" not in page["configs"][0]
    assert amp.get("/configs").json()["total"] == 5


def test_partial_update_changes_only_what_is_given(amp):
    config_id = create_config(amp, description="first", tags={"env": "dev"})
    response = amp.put(f"/configs/{config_id}", json={"tags": {"env": "production"}})
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Config updated successfully"
    assert body["tags"] == {"env": "production"} and body["description"] == "first"
    assert body["yaml_content"] == ECHO_YAML and body["name"] == "test-config"
    assert body["updated_at"] >= body["created_at"]


def test_update_with_invalid_yaml_changes_nothing(amp):
    config_id = create_config(amp)
    response = amp.put(f"/configs/{config_id}", json={"name": "renamed", "yaml_content": "bundle: {}"})
    assert response.status_code == 400
    assert amp.get(f"/configs/{config_id}").json()["name"] == "test-config"


def test_unknown_config_is_404_in_reference_words(amp):
    for method in ("get", "delete"):
        response = getattr(amp, method)("/configs/nope")
        assert response.status_code == 404 and response.json() == {"detail": "Config not found"}
    assert amp.put("/configs/nope", json={"name": "x"}).status_code == 404


def test_delete(amp):
    config_id = create_config(amp)
    response = amp.delete(f"/configs/{config_id}")
    assert response.status_code == 200 and response.json() == {"message": "Config deleted successfully"}
    assert amp.get(f"/configs/{config_id}").status_code == 404
