"""Run the site: `python app.py` (development server) or `gunicorn app:app` (production).

`python app.py` creates the SQLite database under instance/ if needed, brings it
to the latest migration, loads the demo content from content/ when the database
is empty, and serves on http://127.0.0.1:5000.
"""

from __future__ import annotations

import argparse
import os
import sys

from charity_site import create_app
from charity_site.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as exc:  # a clear start-up error, not a traceback
    sys.exit(f"Configuration error: {exc}")


def prepare_database(flask_app, load_demo: bool) -> None:
    """Upgrade the schema to the newest migration; load content/ into an empty database; fill an empty search index."""
    from flask_migrate import upgrade

    from charity_site.services import search
    from charity_site.services.content_loader import database_is_empty, load_content

    with flask_app.app_context():
        upgrade()
        if load_demo and database_is_empty():
            report = load_content(flask_app.config["CONTENT_DIR"])
            print(f"Loaded demo content: {report.summary()}")
            for error in report.errors:
                print(f"  content error: {error}", file=sys.stderr)
        # A database from before site search has content but an empty index.
        indexed = search.ensure_index()
        if indexed is not None:
            print(f"Built the search index: {indexed} items")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Run the charity transparency site.",
        epilog="Environment: HOST, PORT, DATABASE_URL (default: SQLite under instance/), SECRET_KEY "
        "(generated under instance/ in development, required in production), CONFIG "
        "(development|production), ALLOW_SQLITE_IN_PRODUCTION (1/0), LOAD_DEMO_CONTENT (1/0), UPLOAD_DIR, "
        "SITE_URL, REDIS_URL.",
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="address to listen on (HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")), help="port (PORT)")
    parser.add_argument("--debug", action="store_true", help="Flask debug mode with reloader (never in production)")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo content into an empty database")
    parser.add_argument("--migrate-only", action="store_true", help="upgrade the database and exit")
    args = parser.parse_args(argv)

    prepare_database(app, load_demo=app.config["LOAD_DEMO_CONTENT"] and not args.no_demo)
    if args.migrate_only:
        return
    app.run(host=args.host, port=args.port, debug=args.debug, use_reloader=args.debug)


if __name__ == "__main__":
    main()
