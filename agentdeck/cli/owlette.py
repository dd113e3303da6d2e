"""``agentdeck owlette``: users, sites and their members, MFA recovery, agent tokens."""
from __future__ import annotations

import click

from agentdeck.cli import open_database

cli_group = click.Group("owlette", help="owlette: users, sites and members, MFA recovery, agent tokens.")


def _run(action):
    """Run ``action``, turning a domain error into a CLI error with its message."""
    from agentdeck.errors import DomainError

    try:
        return action()
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


@cli_group.command("user-create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="at least 8 characters (prompted for when not given)")
@click.option("--admin", is_flag=True, help="a global admin: every site, every admin route")
def user_create(email, password, admin):
    """Create a user who signs in with EMAIL and the password."""
    from agentdeck.owlette import accounts

    open_database()
    user = _run(lambda: accounts.create_user(email, password, admin))
    click.echo(f"created user {user.email} ({user.id}){' (admin)' if user.is_admin else ''}")


@cli_group.command("user-list")
def user_list():
    """List users: id, email, admin, MFA."""
    from agentdeck.owlette import accounts

    open_database()
    for user in accounts.list_users():
        flags = [f for f, on in (("admin", user.is_admin), ("mfa", user.mfa_enabled)) if on]
        click.echo(f"{user.id}\t{user.email}\t{','.join(flags)}")


@cli_group.command("user-set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_set_password(email, password):
    """Replace a user's password; their sessions end."""
    from agentdeck.owlette import accounts, sessions

    open_database()
    user = _run(lambda: accounts.set_password(email, password))
    sessions.revoke_user_sessions(user.id)
    click.echo(f"password changed for {user.email}; signed-in sessions ended")


@cli_group.command("user-set-admin")
@click.argument("email")
@click.option("--admin/--no-admin", required=True, help="grant or take away the global admin flag")
def user_set_admin(email, admin):
    """Grant or take away global admin."""
    from agentdeck.owlette import accounts

    open_database()
    user = _run(lambda: accounts.set_admin(email, admin))
    click.echo(f"{user.email}: {'admin' if user.is_admin else 'not admin'}")


@cli_group.command("user-mfa-reset")
@click.argument("email")
def user_mfa_reset(email):
    """Turn MFA off for a user who lost their authenticator; their sessions end."""
    from agentdeck.owlette import accounts, sessions

    open_database()
    user = _run(lambda: accounts.reset_mfa(email))
    sessions.revoke_user_sessions(user.id)
    click.echo(f"MFA turned off for {user.email}; signed-in sessions ended")


@cli_group.command("site-create")
@click.argument("site_id")
@click.option("--name", default=None, help="display name (default: the id)")
@click.option("--owner", default=None, metavar="EMAIL", help="the owning user")
def site_create(site_id, name, owner):
    """Create a site (id: letters, digits, '-', '_')."""
    from agentdeck.owlette import sites

    open_database()
    site = _run(lambda: sites.create_site(site_id, name, owner))
    click.echo(f"created site {site.id} ({site.name})")


@cli_group.command("site-list")
def site_list():
    """List sites: id, name, owner, members."""
    from agentdeck.owlette import sites

    open_database()
    for site in sites.all_sites():
        members = ",".join(u.email for u in sites.site_members(site.id))
        click.echo(f"{site.id}\t{site.name}\towner={site.owner.email if site.owner else '-'}\tmembers={members or '-'}")


@cli_group.command("site-add-member")
@click.argument("site_id")
@click.argument("email")
def site_add_member(site_id, email):
    """Make a user a member of a site."""
    from agentdeck.owlette import sites

    open_database()
    user = _run(lambda: sites.add_member(site_id, email))
    click.echo(f"{user.email} is a member of {site_id}")


@cli_group.command("site-remove-member")
@click.argument("site_id")
@click.argument("email")
def site_remove_member(site_id, email):
    """End a user's membership of a site."""
    from agentdeck.owlette import sites

    open_database()
    removed = _run(lambda: sites.remove_member(site_id, email))
    click.echo(f"{email} removed from {site_id}" if removed else f"{email} was not a member of {site_id}")


@cli_group.command("site-set-owner")
@click.argument("site_id")
@click.argument("email")
def site_set_owner(site_id, email):
    """Give a site a new owner."""
    from agentdeck.owlette import sites

    open_database()
    site = _run(lambda: sites.set_owner(site_id, email))
    click.echo(f"{site.id} is owned by {email}")
