"""Schemathesis over the AugmentOS spec, with a published app, its key and a user's core token."""
import pytest
import schemathesis

from tests.contract.harness import CONTRACT_SETTINGS, run_case, schema_fixture

augmentos_schema = schema_fixture("augmentos")
schema = schemathesis.pytest.from_fixture("augmentos_schema")


@pytest.fixture
def credentials(app):
    from agentdeck.augmentos import apps
    from agentdeck.augmentos.users import issue_core_token

    _, api_key = apps.create_app("com.example.contract", "Contract", public_url="http://127.0.0.1:9")
    apps.set_store_status("com.example.contract", "PUBLISHED")
    return {"X-API-Key": api_key, "X-Package-Name": "com.example.contract",
            "Authorization": f"Bearer {issue_core_token('contract@example.com')}"}


@schema.parametrize()
@CONTRACT_SETTINGS
def test_augmentos_contract(case, credentials):
    run_case(case, credentials)
