"""agtOS credentials: storing, validating and deleting provider keys, in the reference's terms
(scopes such as ``provider-anthropic``). The keys themselves are the core router's
(``agentdeck.router.credentials``): sealed at rest, never returned or logged, in force at once."""
