"""Who is calling: the principal the security functions hand to handlers as ``token_info``."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """A signed-in user, by session cookie (``via="session"``) or API key (``via="apiKey"``)."""

    user_id: str
    is_admin: bool
    via: str

    def token_info(self) -> dict:
        """The dict Connexion passes on as ``token_info``."""
        return {"sub": self.user_id, "admin": self.is_admin, "via": self.via}

    @classmethod
    def from_token_info(cls, info: dict) -> "Principal":
        """The principal back from ``token_info``."""
        return cls(info["sub"], bool(info.get("admin")), info.get("via", "session"))
