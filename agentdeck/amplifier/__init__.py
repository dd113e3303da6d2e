"""The Amplifier App API surface: configs (YAML bundles), sessions that answer messages through
provider plugins, applications with API keys, and health and smoke-test endpoints."""

#: The Amplifier App API version whose behaviour this surface reproduces.
API_VERSION = "0.4.0"
