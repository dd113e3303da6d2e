"""agentdeck's plugin system: hook declarations, the plugin manager and the built-in plugins."""
