"""The owlette surface's domain: identity (accounts, sites, sessions, MFA, passkeys, API keys,
agent tokens)."""
