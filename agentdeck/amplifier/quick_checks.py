"""The seven quick smoke checks of ``GET /smoke-tests/quick``, run for real, in-process, against
the live database; each removes what it creates and has ``CHECK_TIMEOUT`` seconds.

- ``health_endpoint``: the health report says ``healthy``.
- ``database_connectivity``: the database answers and the Amplifier tables are readable.
- ``sessions_endpoint``: a throwaway config and session answer "ping" through ``echo``.
- ``config_endpoint``: a config is created, read back, updated and deleted.
- ``bundles_endpoint``: the registry is gone since 0.3.0, so this checks that a bundle with a
  ``providers:`` entry parses and its module resolves to an installed provider plugin.
- ``applications_endpoint``: applications can be listed.
- ``application_registration``: an application is registered, found by its key, and deleted.
"""
from __future__ import annotations

import asyncio
import secrets
import time

from agentdeck.amplifier import applications, configs, sessions
from agentdeck.amplifier.bundle import parse_bundle, provider_choice
from agentdeck.amplifier.provider_access import installed_providers
from agentdeck.amplifier.replies import answer_message
from agentdeck.amplifier.service import database_connected, health_status

CHECK_TIMEOUT = 2.0
_BUNDLE = "bundle:\n  name: smoke-check\nproviders:\n  - module: provider-echo\n"


class CheckFailed(Exception):
    """A quick check found something wrong."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _health() -> dict:
    report = health_status()
    _expect(report["status"] == "healthy", f"health is {report['status']}")
    return report


def _database() -> None:
    _expect(database_connected(), "the database does not answer")


async def _session_round_trip() -> None:
    config = await asyncio.to_thread(configs.create_config, "smoke-check", _BUNDLE)
    try:
        session = await asyncio.to_thread(sessions.create_session, config.id)
        try:
            answer = await answer_message(session.id, "ping")
            _expect(answer["response"], "echo gave an empty answer")
        finally:
            await asyncio.to_thread(sessions.delete_session, session.id)
    finally:
        await asyncio.to_thread(configs.delete_config, config.id)


def _config_round_trip() -> None:
    config = configs.create_config("smoke-check", _BUNDLE, tags={"smoke": "true"})
    try:
        _expect(configs.config_yaml(configs.get_config(config.id)) == _BUNDLE, "the YAML read back differs")
        updated = configs.update_config(config.id, {"description": "checked"})
        _expect(updated.description == "checked", "the update was not applied")
    finally:
        configs.delete_config(config.id)


def _bundle_resolves() -> None:
    choice = provider_choice(parse_bundle(_BUNDLE))
    _expect(choice.plugin in installed_providers(), f"no provider plugin '{choice.plugin}'")


def _list_applications() -> None:
    applications.list_applications()


def _registration_round_trip() -> None:
    app_id = f"smoke-check-{secrets.token_hex(4)}"
    app, key = applications.register_application(app_id, "Smoke check")
    try:
        found = applications.application_for_key(key)
        _expect(found is not None and found.app_id == app_id, "the new key is not recognised")
    finally:
        applications.delete_application(app_id)


CHECKS = (("health_endpoint", _health), ("database_connectivity", _database),
          ("sessions_endpoint", _session_round_trip), ("config_endpoint", _config_round_trip),
          ("bundles_endpoint", _bundle_resolves), ("applications_endpoint", _list_applications),
          ("application_registration", _registration_round_trip))


async def _run_one(name: str, check) -> dict:
    try:
        if asyncio.iscoroutinefunction(check):
            details = await asyncio.wait_for(check(), CHECK_TIMEOUT)
        else:
            details = await asyncio.wait_for(asyncio.to_thread(check), CHECK_TIMEOUT)
    except Exception as exc:  # a failing check is reported, never raised
        return {"name": name, "passed": False, "error": f"{type(exc).__name__}: {exc}"}
    result = {"name": name, "passed": True}
    if details is not None:
        result["details"] = details
    return result


async def run_quick_checks() -> dict:
    """Run the seven checks in order; the body of ``GET /smoke-tests/quick``."""
    results = [await _run_one(name, check) for name, check in CHECKS]
    passed = sum(1 for r in results if r["passed"])
    return {"timestamp": time.time(), "tests": results, "passed": passed,
            "failed": len(results) - passed, "success": passed == len(results), "total": len(results)}
