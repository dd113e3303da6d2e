"""agtOS model providers: slots, the provider catalog and accounts, billing, in the reference's
documents. The rules live in the core's model router (``agentdeck.router``); these modules turn
its answers into agtOS bodies and its refusals into agtOS errors."""
