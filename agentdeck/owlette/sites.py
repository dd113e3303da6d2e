"""Sites, their owners and members."""
from __future__ import annotations

import re

from agentdeck.errors import Conflict, InvalidInput, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteSite, OwletteSiteMember, OwletteUser
from agentdeck.timeutil import to_iso

from agentdeck.owlette.access import site_role
from agentdeck.owlette.accounts import get_user_by_email
from agentdeck.owlette.principals import Principal

_SITE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")


def get_site(site_id: str) -> OwletteSite:
    """The site, or ``NotFound``."""
    site = OwletteSite.get_or_none(OwletteSite.id == site_id)
    if site is None:
        raise NotFound(f"No site {site_id}")
    return site


def create_site(site_id: str, name: str, owner_email: str | None = None) -> OwletteSite:
    """A new site (id: letters, digits, ``-``, ``_``), owned by ``owner_email`` if given."""
    if not _SITE_ID.match(site_id):
        raise InvalidInput("Site id: letters, digits, '-' and '_' (first a letter or digit), at most 128")
    owner = get_user_by_email(owner_email) if owner_email else None
    with writing():
        if OwletteSite.select().where(OwletteSite.id == site_id).exists():
            raise Conflict(f"Site {site_id} already exists")
        return OwletteSite.create(id=site_id, name=name or site_id, owner=owner)


def add_member(site_id: str, email: str) -> OwletteUser:
    """Make the user a member of the site (no-op when already one)."""
    site, user = get_site(site_id), get_user_by_email(email)
    with writing():
        (OwletteSiteMember.insert(site=site.id, user=user.id)
         .on_conflict_ignore().execute())
    return user


def remove_member(site_id: str, email: str) -> bool:
    """End the user's membership; True when there was one."""
    site, user = get_site(site_id), get_user_by_email(email)
    with writing():
        return bool(OwletteSiteMember.delete()
                    .where((OwletteSiteMember.site == site.id) & (OwletteSiteMember.user == user.id))
                    .execute())


def set_owner(site_id: str, email: str) -> OwletteSite:
    """Give the site a new owner."""
    site, user = get_site(site_id), get_user_by_email(email)
    with writing():
        OwletteSite.update(owner=user.id).where(OwletteSite.id == site.id).execute()
    return get_site(site.id)


def all_sites() -> list[OwletteSite]:
    """Every site, by id."""
    return list(OwletteSite.select().order_by(OwletteSite.id))


def site_members(site_id: str) -> list[OwletteUser]:
    """The site's members (not its owner unless also a member)."""
    return list(OwletteUser.select().join(OwletteSiteMember)
                .where(OwletteSiteMember.site == site_id).order_by(OwletteUser.email))


def visible_sites(principal: Principal) -> list[dict]:
    """The sites the principal may use, each with their role: every site for a global admin."""
    if principal.is_admin:
        query = OwletteSite.select()
    else:
        member_of = OwletteSiteMember.select(OwletteSiteMember.site).where(OwletteSiteMember.user == principal.user_id)
        query = OwletteSite.select().where((OwletteSite.owner == principal.user_id) | OwletteSite.id.in_(member_of))
    return [{"id": site.id, "name": site.name, "role": site_role(principal, site),
             "createdAt": to_iso(site.created_at)} for site in query.order_by(OwletteSite.id)]
