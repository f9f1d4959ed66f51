"""`flask ledger …`: ledger maintenance commands."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

from charity_site.finance.ledger_import import remove_old_uploads


def init_ledger_cli(app: Flask) -> None:
    ledger = AppGroup("ledger", help="Ledger maintenance.")

    @ledger.command("cleanup-imports")
    def cleanup_imports_command() -> None:
        """Remove spreadsheets left in LEDGER_IMPORT_DIR by import previews older than 2 days (run daily)."""
        remove_old_uploads()

    app.cli.add_command(ledger)
