"""`flask volunteers remind`: the day-before reminders (run it from cron, e.g. every hour)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from charity_site.core.transaction import transaction
from charity_site.volunteers.signups import send_reminders


def init_volunteers_cli(app: Flask) -> None:
    volunteers = AppGroup("volunteers", help="Volunteer sign-ups.")

    @volunteers.command("remind")
    def remind_command() -> None:
        """E-mail everyone with a place on a shift tomorrow (each sign-up once)."""
        with transaction():  # the messages are sent when this unit of work commits
            count = send_reminders()
        click.echo(f"reminded {count}")

    app.cli.add_command(volunteers)
