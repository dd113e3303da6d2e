"""Handlers of the Amplifier App API surface (one module per resource)."""
