"""The chat domain's limits and the settings that change them."""
from __future__ import annotations

from dataclasses import dataclass

from agentdeck.settings import Settings

#: Working memory: at most this many messages and (estimated) tokens are sent with a turn ...
MEMORY_MAX_MESSAGES = 30
MEMORY_MAX_TOKENS = 4000
#: ... and this many newest messages are kept whole whatever their size.
MEMORY_VERBATIM = 6
#: Characters per token when estimating a message's size (no tokenizer is assumed).
CHARS_PER_TOKEN = 4
TEXT_MAX_CHARS = 10_000


@dataclass(frozen=True)
class ChatLimits:
    """Limits read from the environment on each call (so a changed value applies at once).

    ``AGENTDECK_AGTOS_CHAT_SESSION_TTL``: seconds a conversation is remembered after its last
    turn (default 86400, one day). ``AGENTDECK_AGTOS_CHAT_MAX_STEPS``: model calls one message
    may take (default 8). ``AGENTDECK_AGTOS_CHAT_TOOL_TIMEOUT``: seconds one tool call may take
    (default 30).
    """

    session_ttl: float = 86400.0
    max_steps: int = 8
    tool_timeout: float = 30.0

    @classmethod
    def from_env(cls, environ=None) -> "ChatLimits":
        """The limits now in force (the settings read afresh); a non-positive value keeps the default."""
        settings = Settings.from_env(environ)
        default = cls()
        return cls(_positive(settings.agtos_chat_session_ttl, default.session_ttl),
                   int(_positive(settings.agtos_chat_max_steps, default.max_steps)),
                   _positive(settings.agtos_chat_tool_timeout, default.tool_timeout))


def _positive(value: float, default: float) -> float:
    return value if value > 0 else default
