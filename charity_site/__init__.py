"""The charity transparency site: ``create_app()`` builds the Flask application."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from charity_site.config import (
    CONFIGS,
    DEFAULT_INSTANCE_PATH,
    PROJECT_ROOT,
    ConfigurationError,
    check_production,
    config_name_from_environment,
    development_secret_key,
)
from charity_site.extensions import babel, csrf, db, limiter, login_manager, migrate
from charity_site.web.http_cache import init_http_cache


def create_app(config: str | dict | None = None) -> Flask:
    """Build the app. ``config`` is a config name ('testing'), or a dict of overrides."""
    instance_path = Path(os.environ.get("INSTANCE_PATH", DEFAULT_INSTANCE_PATH)).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    register_config(app, config)
    register_extensions(app)
    register_domain_hooks(app)
    register_transactions(app)
    register_template_helpers(app)
    register_input_rules(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_http_cache(app)
    register_commands(app)
    return app


def register_config(app: Flask, config: str | dict | None) -> None:
    overrides = config if isinstance(config, dict) else {}
    name = config if isinstance(config, str) else overrides.pop("CONFIG", None) or config_name_from_environment()
    if name not in CONFIGS:
        raise ConfigurationError(f"Unknown config '{name}'")
    config_class = CONFIGS[name]
    app.config.from_object(config_class)
    app.config.update(config_class.from_environment() if name != "testing" else {})
    app.config.update(overrides)
    app.config["ENV_NAME"] = name

    if name == "production":
        check_production(app.config)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'charity.sqlite3'}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}

    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")


def register_extensions(app: Flask) -> None:
    from charity_site import models  # registers every table on the metadata

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "admin_auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"
    babel.init_app(
        app,
        locale_selector=lambda: app.config["BABEL_DEFAULT_LOCALE"],
        timezone_selector=lambda: app.config["SITE_TIMEZONE"],
    )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
    install_template_gettext(app)

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(models.StaffUser, int(user_id))


def install_template_gettext(app: Flask) -> None:
    """A page translates about a hundred strings; flask-babel finds the request's locale and catalogue
    again for each. The site has one locale (the selector above returns BABEL_DEFAULT_LOCALE), so
    templates take the catalogue found on the first request and keep it."""
    from babel.support import Translations
    from flask_babel import get_translations

    found: list[Translations] = []

    def catalogue():
        if found:
            return found[0]
        translations = get_translations()
        if isinstance(translations, Translations):  # not the stand-in given outside a request
            found.append(translations)
        return translations

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def register_transactions(app: Flask) -> None:
    """Each request is one unit of work, committed at its end (core/transaction.py); before the other
    after-request hooks, so that it runs after them."""
    from charity_site.core.transaction import init_transactions

    init_transactions(app)


SQLITE_BUSY_TIMEOUT_MS = 15_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Enforce foreign keys and allow readers during writes on SQLite; writers wait for each other."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # Threads of `python app.py` (waitress) or several processes write in turn: wait their turn, not fail.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_write_lock(connection):
    """On SQLite, a request that may write takes the database's write lock when its transaction begins.

    SQLite has no row locks. Left to the driver, two requests changing one row both read it, and the
    second to write fails with "database is locked" (a 500), or overwrites the first. BEGIN IMMEDIATE
    makes writers queue (up to SQLITE_BUSY_TIMEOUT_MS) before they read, so the second one sees the
    first one's change and is answered as a later request would be (see core/locking.py).
    Readers are never blocked (WAL); other transactions keep the driver's usual deferred BEGIN.
    """
    if connection.dialect.name == "sqlite" and has_request_context() and request.method not in SAFE_METHODS:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_domain_hooks(app: Flask) -> None:
    """What core/ and web/ use without importing a domain: each domain's enum labels (for the ``label``
    filter) and the files domain's step of page Markdown (uploaded images get their width and height)."""
    from charity_site.core.markdown import add_page_markdown_step
    from charity_site.files.uploads import add_image_dimensions

    for module_name in LABEL_MODULES:
        importlib.import_module(f"charity_site.{module_name}")
    add_page_markdown_step(app, add_image_dimensions)


LABEL_MODULES = ("disclosures.labels", "finance.labels", "projects.labels", "volunteers.labels")


def register_template_helpers(app: Flask) -> None:
    from charity_site.web.templating import init_templating

    init_templating(app)


def register_input_rules(app: Flask) -> None:
    """Bounded path converters and the query-string check; before the blueprints add their routes."""
    from charity_site.web.input import init_web_input

    init_web_input(app)


def register_blueprints(app: Flask) -> None:
    """Every blueprint, public ones first, in one explicit list."""
    for module_name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(f"charity_site.{module_name}").bp)


BLUEPRINT_MODULES = (
    # public
    "disclosures.views", "feeds.views", "finance.views_funds", "finance.views_ledger", "news.views",
    "open_data.views", "pages.views", "projects.views", "pages.views_home", "donations.views", "search.views",
    "files.views", "volunteers.views", "volunteers.views_records",
    "finance.views_flows",
    # staff workspace (/admin); the blueprints with a menu entry come in the order of the workspace menu
    "staff.admin_dashboard", "pages.admin", "news.admin", "projects.admin", "finance.admin_funds",
    "finance.admin_ledger", "donations.admin", "disclosures.admin",
    "disclosures.admin_deadlines", "files.admin", "volunteers.admin",
    "staff.admin_users", "staff.admin_audit", "staff.admin_settings", "staff.admin_account", "staff.admin_auth",
    "web.preview", "volunteers.admin_attendance",
)


def register_error_handlers(app: Flask) -> None:
    from charity_site.web.errors import init_error_handlers

    init_error_handlers(app)


def register_request_hooks(app: Flask) -> None:
    from charity_site.web.http_cache import security_headers

    headers = security_headers(app.config)

    @app.after_request
    def add_security_headers(response):
        for name, value in headers:
            response.headers.setdefault(name, value)
        return response


def register_http_cache(app: Flask) -> None:
    """ETag, Last-Modified, Cache-Control, and the page cache (web/page_cache.py), whose generation every
    commit that writes something public bumps (core/public_changes.py)."""
    import charity_site.core.public_changes  # noqa: F401 (its session events mark public writes)

    init_http_cache(app)


def register_commands(app: Flask) -> None:
    from charity_site.cli import init_cli

    init_cli(app)
