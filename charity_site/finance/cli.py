"""`flask ledger …`: ledger maintenance commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from charity_site.core.transaction import transaction
from charity_site.finance import summaries
from charity_site.finance.ledger_import import remove_old_uploads


def init_ledger_cli(app: Flask) -> None:
    ledger = AppGroup("ledger", help="Ledger maintenance.")

    @ledger.command("cleanup-imports")
    def cleanup_imports_command() -> None:
        """Remove spreadsheets left in LEDGER_IMPORT_DIR by import previews older than 2 days (run daily)."""
        remove_old_uploads()

    @ledger.command("rebuild-totals")
    @click.option("--check", is_flag=True, help="Only report differences; change nothing (exit status 1 if any).")
    def rebuild_totals_command(check: bool) -> None:
        """Recompute the fund and project totals (fund_money, project_money) from the ledger lines.

        Triggers keep them exact on every write; run this after changing the tables by hand (or
        restoring a part of them), or with --check to verify them."""
        with transaction():
            found = summaries.differences()
            for line in found[:50]:
                click.echo(line)
            if len(found) > 50:
                click.echo(f"… and {len(found) - 50} more")
            if check:
                click.echo(f"{len(found)} fund or project totals differ from their lines.")
                if found:
                    raise SystemExit(1)
                return
            if found:
                summaries.rebuild()
            click.echo(f"Rebuilt the totals: {len(found)} fund or project totals were wrong.")

    app.cli.add_command(ledger)
