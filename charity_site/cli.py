"""Flask CLI commands: `flask content load`, `flask demo` helpers. Each command that writes is one
``transaction()``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from charity_site.core.transaction import transaction
from charity_site.demo_content.loader import load_content
from charity_site.donations.cli import init_pledges_cli
from charity_site.finance.cli import init_ledger_cli
from charity_site.search.cli import init_search_cli
from charity_site.staff.cli import init_users_cli
from charity_site.volunteers.cli import init_volunteers_cli


def init_cli(app: Flask) -> None:
    content = AppGroup("content", help="Load the Markdown content in content/ into the database.")

    @content.command("load")
    @click.option("--path", "content_dir", default=None, help="Content folder (default: CONTENT_DIR, ./content).")
    def load_command(content_dir: str | None) -> None:
        """Import content/ idempotently: new items are created, changed ones updated, edited ones skipped."""
        with transaction():  # a file with a problem loads nothing; the others are kept
            report = load_content(content_dir or current_app.config["CONTENT_DIR"])
        for label in report.created:
            click.echo(f"created   {label}")
        for label in report.updated:
            click.echo(f"updated   {label}")
        for label in report.skipped:
            click.echo(f"skipped   {label}")
        for error in report.errors:
            click.echo(f"ERROR     {error}", err=True)
        click.echo(report.summary())
        if report.errors:
            raise SystemExit(1)

    app.cli.add_command(content)

    cache = AppGroup("cache", help="The page cache of anonymous public pages.")

    @cache.command("clear")
    def clear_command() -> None:
        """Start a new generation (every server's stored pages are out of date) and empty the stored pages."""
        state = current_app.extensions["page_cache"].clear()
        click.echo(f"Page cache cleared: generation {state.counter}.")

    app.cli.add_command(cache)

    init_ledger_cli(app)
    init_users_cli(app)
    init_search_cli(app)
    init_pledges_cli(app)
    init_volunteers_cli(app)
