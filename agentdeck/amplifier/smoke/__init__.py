"""Smoke tests bundled with agentdeck, run by ``GET /amplifier/smoke-tests`` in a subprocess."""
