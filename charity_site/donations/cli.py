"""`flask pledges expire`: expire unpaid pledges after the configured number of days (safe from cron)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from charity_site.donations import receiving
from charity_site.extensions import db


def init_pledges_cli(app: Flask) -> None:
    pledges = AppGroup("pledges", help="Donors' pledges.")

    @pledges.command("expire")
    @click.option("--days", type=click.IntRange(1, 3650), default=None,
                  help="Expire pledges unpaid for this many days (default: the giving settings).")
    def expire_command(days: int | None) -> None:
        """Mark pending pledges older than N days as expired; running it twice changes nothing more."""
        count = receiving.expire_overdue(days)
        db.session.commit()  # TODO(transaction): use transaction() once main's core/transaction.py lands
        click.echo(f"expired {count} pledges")

    app.cli.add_command(pledges)
