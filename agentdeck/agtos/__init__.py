"""The agtOS surface's domain: one sub-package per area (platform, credentials, providers, chat).

Handlers in ``agentdeck.handlers.agtos`` call these; the model router they use is the core's
``agentdeck.router``, which knows nothing of this surface.
"""
