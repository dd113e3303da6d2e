"""Who may change the host's configuration through agtOS (settings, models, Ollama, Redis,
onboarding): with ``AGTOS_API_KEY`` set, whoever holds the key (the spec's security checks it
before the handler runs); without it, only clients on a loopback address, as credential storage
is. Reading stays open as the reference has it. This is agentdeck's rule: the reference leaves
these operations open when no key is set, which would let anyone on the network change limits
or fill the disk."""
from __future__ import annotations

from agentdeck.agtos.platform.setup_token import is_loopback
from agentdeck.errors import Forbidden
from agentdeck.settings import get_settings

LOCAL_ONLY = "Only available from localhost unless AGTOS_API_KEY is set"


def require_operator(client_host: str | None) -> None:
    """Forbidden unless the caller may change configuration (see the module)."""
    if not get_settings().agtos_api_key and not is_loopback(client_host):
        raise Forbidden(LOCAL_ONLY)
