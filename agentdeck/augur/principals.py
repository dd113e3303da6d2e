"""Who is calling: an SDK client holding a DSN, or a viewer holding a login session.

The security functions return these as dicts (Connexion's ``token_info``); handlers turn them
back into the typed principals the domain functions take.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IngestClient:
    """An SDK client: the DSN it presented and that DSN's tenant."""

    dsn_id: str
    tenant_id: str
    modelio_capture: bool

    def token_info(self) -> dict:
        """This principal as Connexion token info (``sub`` names the DSN)."""
        return {"sub": f"dsn:{self.dsn_id}", "dsn_id": self.dsn_id, "tenant_id": self.tenant_id,
                "modelio_capture": self.modelio_capture}

    @classmethod
    def from_token_info(cls, info: dict) -> "IngestClient":
        """The principal a ``check_dsn_key`` result describes."""
        return cls(info["dsn_id"], info["tenant_id"], info["modelio_capture"])


@dataclass(frozen=True)
class Viewer:
    """A signed-in user, reading the active tenant (their own, or one an admin impersonates)."""

    user_id: str
    tenant_id: str
    home_tenant_id: str
    is_admin: bool

    @property
    def impersonating(self) -> bool:
        """True when an admin reads a tenant other than their own."""
        return self.tenant_id != self.home_tenant_id

    def token_info(self) -> dict:
        """This principal as Connexion token info (``sub`` is the user id)."""
        return {"sub": self.user_id, "user_id": self.user_id, "tenant_id": self.tenant_id,
                "home_tenant_id": self.home_tenant_id, "is_admin": self.is_admin}

    @classmethod
    def from_token_info(cls, info: dict) -> "Viewer":
        """The principal a ``check_session`` result describes."""
        return cls(info["user_id"], info["tenant_id"], info["home_tenant_id"], info["is_admin"])
