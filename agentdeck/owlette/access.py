"""The one place that decides who may use what: global admins, site admins, and oneself.

"Site admin" routes admit a global admin, the site's owner, or one of its members. Anyone else is
refused with 403 whether or not the site exists, so that site ids cannot be probed.
"""
from __future__ import annotations

from agentdeck.errors import Forbidden, NotFound
from agentdeck.storage.models.owlette import OwletteSite, OwletteSiteMember

from agentdeck.owlette.principals import Principal

NO_SITE_ACCESS = "Forbidden: No access to this site"


def site_role(principal: Principal, site: OwletteSite) -> str | None:
    """``admin``, ``owner``, ``member`` or None: the principal's standing at ``site``."""
    if principal.is_admin:
        return "admin"
    if site.owner_id == principal.user_id:
        return "owner"
    member = (OwletteSiteMember.select()
              .where((OwletteSiteMember.site == site.id) & (OwletteSiteMember.user == principal.user_id))
              .exists())
    return "member" if member else None


def require_site_admin(principal: Principal, site_id: str) -> OwletteSite:
    """The site, when ``principal`` is a site admin of it; ``Forbidden`` (or, for a global
    admin, ``NotFound``) otherwise."""
    site = OwletteSite.get_or_none(OwletteSite.id == site_id)
    if site is None:
        if principal.is_admin:
            raise NotFound("Site not found")
        raise Forbidden(NO_SITE_ACCESS)
    if site_role(principal, site) is None:
        raise Forbidden(NO_SITE_ACCESS)
    return site


def require_self(principal: Principal, user_id: str | None) -> str:
    """The principal's own user id; ``Forbidden`` when ``user_id`` names someone else."""
    if user_id is not None and user_id != principal.user_id:
        raise Forbidden("Forbidden: You can only manage your own account")
    return principal.user_id


def require_admin(principal: Principal) -> None:
    """``Forbidden`` unless the principal is a global admin."""
    if not principal.is_admin:
        raise Forbidden("Forbidden: Admin access required")
