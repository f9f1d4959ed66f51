"""`flask users ...`: manage staff accounts from the server's shell (e.g. the first administrator).

There is no default account and no default password: the first administrator is made here.
Each command is one unit of work (``transaction()``): a refusal stores nothing.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from charity_site.core.roles import Role
from charity_site.core.transaction import transaction
from charity_site.extensions import db
from charity_site.staff import accounts as staff
from charity_site.staff.models import StaffUser
from charity_site.staff.passwords import PasswordRejected

ROLE_NAMES = [role.value for role in Role]


def _read_password(from_stdin: bool, prompt: str) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise click.ClickException("No password on standard input.")
        return line.rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt="Repeat the password")


def _user_or_fail(email: str):
    user = staff.find_user(email)
    if user is None:
        raise click.ClickException(f"No account with the e-mail {staff.normalise_email(email)}.")
    return user


def _fail(error: Exception):
    raise click.ClickException(str(error)) from None


def init_users_cli(app: Flask) -> None:
    users = AppGroup("users", help="Create and manage staff accounts.")

    @users.command("create")
    @click.argument("email")
    @click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLE_NAMES),
                  help="A role; repeat for several (--role admin --role editor).")
    @click.option("--name", "display_name", default="", help="The person's name, as shown in the workspace.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
    @click.option("--temporary", is_flag=True, help="The person must change the password at the first sign-in.")
    def create_command(email, roles, display_name, password_stdin, temporary):
        """Create an account. Without --password-stdin the password is asked twice, hidden."""
        if staff.find_user(email):
            raise click.ClickException(f"An account with the e-mail {staff.normalise_email(email)} already exists.")
        password = _read_password(password_stdin, "Password")
        try:
            with transaction():
                user = staff.create_user(email, password, roles, display_name=display_name,
                                         must_change_password=temporary)
        except (PasswordRejected, staff.StaffError) as error:
            _fail(error)
        click.echo(f"Created {user.email} ({', '.join(sorted(role.value for role in user.roles))}).")

    @users.command("set-password")
    @click.argument("email")
    @click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
    @click.option("--temporary", is_flag=True, help="The person must change the password at the next sign-in.")
    def set_password_command(email, password_stdin, temporary):
        """Set a new password for an account."""
        user = _user_or_fail(email)
        password = _read_password(password_stdin, "New password")
        try:
            with transaction():
                staff.set_password(user, password, must_change=temporary)
        except (PasswordRejected, staff.StaffError) as error:
            _fail(error)
        click.echo(f"Password changed for {user.email}.")

    @users.command("disable")
    @click.argument("email")
    def disable_command(email):
        """Disable an account: it can no longer sign in, and a signed-in session ends."""
        user = _user_or_fail(email)
        try:
            with transaction():
                staff.set_active(user, False)
        except staff.StaffError as error:
            _fail(error)
        click.echo(f"Disabled {user.email}.")

    @users.command("enable")
    @click.argument("email")
    def enable_command(email):
        """Enable a disabled account again."""
        user = _user_or_fail(email)
        with transaction():
            staff.set_active(user, True)
        click.echo(f"Enabled {user.email}.")

    @users.command("list")
    def list_command():
        """List every account with its roles and status."""
        accounts = db.session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
        if not accounts:
            click.echo("No accounts yet. Create the first administrator with: flask users create EMAIL --role admin")
            return
        width = max(len(user.email) for user in accounts)
        for user in accounts:
            roles = ",".join(sorted(role.value for role in user.roles))
            status = "active" if user.active else "disabled"
            flags = " (must change password)" if user.must_change_password else ""
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never signed in"
            click.echo(f"{user.email:<{width}}  {status:<8}  {roles:<28}  {last}  {user.display_name}{flags}".rstrip())

    app.cli.add_command(users)
