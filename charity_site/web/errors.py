"""Error pages in the site's layout. A 500 rolls the session back and shows no trace.

When the database cannot be reached (refused, down, restarting, out of connections) every page
answers 503 in the site's layout, without touching the database again to draw it, and says to try
again shortly. Nothing is kept from the failed attempt: the next request opens a new connection
(``pool_pre_ping`` throws away connections that died meanwhile), so the site recovers by itself
when the database is back, without a restart.
"""

from __future__ import annotations

import contextlib

from flask import Flask, g, make_response, render_template
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from charity_site.extensions import db, login_manager

# DB-API's name for failures of the database's operation rather than of the query: connection refused
# or lost, database missing or shutting down, pool exhausted.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if isinstance(getattr(error, "original_exception", None), DATABASE_UNAVAILABLE):
            return database_unavailable(app, error.original_exception)  # e.g. raised by an after_request hook
        template = {403: "errors/403.html", 404: "errors/404.html"}.get(error.code, "errors/generic.html")
        try:
            response = make_response(render_template(template, error=error), error.code)
        except DATABASE_UNAVAILABLE as unavailable:  # a 404 while the database is down is a 503
            return database_unavailable(app, unavailable)
        for name, value in error.get_headers():
            if name.lower() != "content-type":  # e.g. Allow on 405, Retry-After on 429
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        if isinstance(error, DATABASE_UNAVAILABLE):
            return database_unavailable(app, error)
        app.logger.exception("Unhandled error: %s", error)
        try:
            db.session.rollback()
            return render_template("errors/500.html"), 500
        except DATABASE_UNAVAILABLE as unavailable:
            return database_unavailable(app, unavailable)


def database_unavailable(app: Flask, error: Exception):
    app.logger.warning("Database unavailable: %s", error.__class__.__name__, exc_info=error)
    with contextlib.suppress(DATABASE_UNAVAILABLE):
        db.session.rollback()
    _draw_without_database()
    response = make_response(render_template("errors/503.html", error=ServiceUnavailable()), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _draw_without_database() -> None:
    """Give the layout what it would read from the database: default particulars and no signed-in user."""
    from charity_site.web.templating import empty_site_settings

    g.site_settings = empty_site_settings()
    g._login_user = login_manager.anonymous_user()
