"""`flask search reindex`: rebuild the site search index from the content tables."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from charity_site.core.transaction import transaction
from charity_site.search import index as search


def init_search_cli(app: Flask) -> None:
    group = AppGroup("search", help="Maintain the site search index.")

    @group.command("reindex")
    def reindex_command() -> None:
        """Rebuild the search index of projects, news, pages and disclosures."""
        with transaction():
            count = search.reindex()
        click.echo(f"Indexed {count} items.")

    app.cli.add_command(group)
