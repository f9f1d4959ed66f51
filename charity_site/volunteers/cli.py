"""`flask volunteers remind`: the day-before reminders (run it from cron, e.g. every hour)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from charity_site.extensions import db
from charity_site.volunteers.signups import send_reminders


def init_volunteers_cli(app: Flask) -> None:
    volunteers = AppGroup("volunteers", help="Volunteer sign-ups.")

    @volunteers.command("remind")
    def remind_command() -> None:
        """E-mail everyone with a place on a shift tomorrow (each sign-up once)."""
        count = send_reminders()
        db.session.commit()  # the messages are sent after this commit
        click.echo(f"reminded {count}")

    app.cli.add_command(volunteers)
