"""Error pages in the site's layout. A 500 rolls the session back and shows no trace."""

from __future__ import annotations

from flask import Flask, make_response, render_template
from werkzeug.exceptions import HTTPException

from ..extensions import db


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        template = {403: "errors/403.html", 404: "errors/404.html"}.get(error.code, "errors/generic.html")
        response = make_response(render_template(template, error=error), error.code)
        for name, value in error.get_headers():
            if name.lower() != "content-type":  # e.g. Allow on 405, Retry-After on 429
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        app.logger.exception("Unhandled error: %s", error)
        return render_template("errors/500.html"), 500
