"""Schemathesis over the platform API."""
import schemathesis

from tests.contract.harness import CONTRACT_SETTINGS, run_case, schema_fixture

platform_schema = schema_fixture("platform")
schema = schemathesis.pytest.from_fixture("platform_schema")


@schema.parametrize()
@CONTRACT_SETTINGS
def test_platform_contract(case):
    run_case(case)
