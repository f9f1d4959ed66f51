"""`flask pledges expire`: expire unpaid pledges after the configured number of days (safe from cron)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from charity_site.core.transaction import transaction
from charity_site.donations import progress, receiving


def init_pledges_cli(app: Flask) -> None:
    pledges = AppGroup("pledges", help="Donors' pledges.")

    @pledges.command("expire")
    @click.option("--days", type=click.IntRange(1, 3650), default=None,
                  help="Expire pledges unpaid for this many days (default: the giving settings).")
    def expire_command(days: int | None) -> None:
        """Mark pending pledges older than N days as expired; running it twice changes nothing more."""
        with transaction():
            count = receiving.expire_overdue(days)
        click.echo(f"expired {count} pledges")

    @pledges.command("notify")
    def notify_command() -> None:
        """E-mail donors who asked for it about their project's new updates and disclosures (from cron)."""
        base_url = current_app.config.get("SITE_URL") or "http://localhost/"
        # canonical_url needs a request's address when SITE_URL is not set; the mail goes after the commit.
        with transaction(), current_app.test_request_context("/", base_url=base_url):
            count = progress.notify_donors()
        click.echo(f"queued {count} progress messages")

    app.cli.add_command(pledges)
