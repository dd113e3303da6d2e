"""Smoke-test handlers."""
from agentdeck.amplifier.quick_checks import run_quick_checks
from agentdeck.amplifier.smoke_runner import run_smoke_tests as run_bundled_smoke_tests


async def run_quick_smoke_tests():
    """GET /smoke-tests/quick"""
    return await run_quick_checks(), 200


async def run_smoke_tests(verbose=False, pattern="test_smoke.py"):
    """GET /smoke-tests"""
    return await run_bundled_smoke_tests(verbose, pattern), 200
