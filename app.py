"""Run the site: `python app.py`, or `gunicorn -c deploy/gunicorn.conf.py app:app` on a larger server.

`python app.py` creates the SQLite database under instance/ if needed, brings it
to the latest migration, loads the demo content from content/ when the database
is empty, and serves on http://127.0.0.1:5000 with waitress, a production WSGI
server that also runs on Windows, in several threads (`--debug`: Flask's
development server with the reloader instead).

Behind nginx (or any reverse proxy) set TRUSTED_PROXIES to the number of proxies
in front, so the client's address and scheme come from their X-Forwarded-For and
X-Forwarded-Proto headers: sign-in lock-out counts failures per client address,
and without this every visitor would share the proxy's address.
"""

from __future__ import annotations

import argparse
import os
import sys

from werkzeug.middleware.proxy_fix import ProxyFix

from charity_site import create_app
from charity_site.config import ConfigurationError
from charity_site.core.heap import freeze_startup_objects

DEFAULT_THREADS = 8


def trusted_proxies() -> int:
    value = os.environ.get("TRUSTED_PROXIES", "").strip() or "0"
    if not value.isdigit():
        raise ConfigurationError(f"TRUSTED_PROXIES must be a number of proxies (0, 1, 2...), not '{value}'.")
    return int(value)


def build_app():
    flask_app = create_app()
    proxies = trusted_proxies()
    if proxies:
        flask_app.wsgi_app = ProxyFix(flask_app.wsgi_app, x_for=proxies, x_proto=proxies)
    return flask_app


try:
    app = build_app()
except ConfigurationError as exc:  # a clear start-up error, not a traceback
    sys.exit(f"Configuration error: {exc}")


def prepare_database(flask_app, load_demo: bool) -> None:
    """Upgrade the schema to the newest migration; load content/ into an empty database; fill an empty search index."""
    from flask_migrate import upgrade

    from charity_site.core.transaction import transaction
    from charity_site.demo_content.loader import database_is_empty, load_content
    from charity_site.search import index as search

    with flask_app.app_context():
        upgrade()
        if load_demo and database_is_empty():
            with transaction():
                report = load_content(flask_app.config["CONTENT_DIR"])
            print(f"Loaded demo content: {report.summary()}")
            for error in report.errors:
                print(f"  content error: {error}", file=sys.stderr)
        # A database from before site search has content but an empty index.
        with transaction():
            indexed = search.ensure_index()
        if indexed is not None:
            print(f"Built the search index: {indexed} items")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Run the charity transparency site.",
        epilog="Environment: HOST, PORT, DATABASE_URL (default: SQLite under instance/), SECRET_KEY "
        "(generated under instance/ in development, required in production), CONFIG "
        "(development|production), ALLOW_SQLITE_IN_PRODUCTION (1/0), LOAD_DEMO_CONTENT (1/0), UPLOAD_DIR, "
        "SITE_URL, REDIS_URL, THREADS, TRUSTED_PROXIES (number of reverse proxies in front, e.g. 1 behind nginx).",
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="address to listen on (HOST)")
    parser.add_argument("--port", type=int, default=os.environ.get("PORT", "5000"), help="port (PORT)")
    parser.add_argument("--threads", type=int, default=os.environ.get("THREADS", str(DEFAULT_THREADS)),
                        help=f"waitress worker threads (THREADS, default {DEFAULT_THREADS})")
    parser.add_argument("--debug", action="store_true",
                        help="Flask's development server with debugger and reloader instead of waitress (never in production)")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo content into an empty database")
    parser.add_argument("--migrate-only", action="store_true", help="upgrade the database and exit")
    args = parser.parse_args(argv)

    prepare_database(app, load_demo=app.config["LOAD_DEMO_CONTENT"] and not args.no_demo)
    if args.migrate_only:
        return
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True, use_reloader=True)
        return
    serve(app, args.host, args.port, max(1, args.threads))


def serve(flask_app, host: str, port: int, threads: int) -> None:
    """Serve with waitress: a production server with no C extension, so it also runs on Windows."""
    import waitress

    freeze_startup_objects()
    print(f"Serving on http://{host}:{port} (waitress, {threads} threads); Ctrl+C to stop", flush=True)
    waitress.serve(flask_app, host=host, port=port, threads=threads)


if __name__ == "__main__":
    main()
