"""`flask users ...`: committee accounts. Passwords are read from a prompt or stdin, never from arguments."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from accounts.users import AccountError, change_password, create_user, disable_user, list_users
from models import ROLES

users_cli = AppGroup("users", help="Committee account commands.")

password_option = click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True,
    help="Asked for at a prompt; or pass it on stdin.",
)


def run(action):
    try:
        action()
    except AccountError as error:
        raise click.ClickException(str(error)) from None


@users_cli.command("create")
@click.argument("username")
@click.option("--scope", "scope_code", required=True, help="Code of the unit whose subtree the account sees.")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@password_option
def create_command(username, scope_code, role, password):
    """Create an account that sees one unit's subtree."""
    run(lambda: create_user(username, password, scope_code, role))
    click.echo(_("Account %(name)s created.", name=username.strip().lower()))


@users_cli.command("passwd")
@click.argument("username")
@password_option
def passwd_command(username, password):
    """Set a new password: the account's open sessions end, wherever they are."""
    run(lambda: change_password(username, password))
    click.echo(_("Password changed. The account's open sessions have ended."))


@users_cli.command("disable")
@click.argument("username")
def disable_command(username):
    """Disable an account: it can no longer sign in, and its open sessions end."""
    run(lambda: disable_user(username))
    click.echo(_("Account %(name)s disabled.", name=username))


@users_cli.command("list")
def list_command():
    """List the accounts with their scope and role."""
    for user in list_users():
        state = _("disabled") if user.disabled else _("active")
        click.echo(f"{user.username}\t{user.role}\t{user.scope.code}\t{state}")
