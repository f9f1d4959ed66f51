"""Fixtures in the flaskr style: a fresh app and database per test, a client and a CLI runner.

Every database test runs twice: on SQLite and on PostgreSQL (when TEST_DATABASE_URL
is set). Where PostgreSQL or Chromium is missing those tests skip with a reason;
with REQUIRE_FULL_SUITE=1 (set by .ci/run) a missing one fails the run instead.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g, request_started
from sqlalchemy import text
from support import skip_or_fail

from charity_site import create_app
from charity_site.config import PROJECT_ROOT, normalise_database_url
from charity_site.extensions import db

CONTENT_DIR = PROJECT_ROOT / "content"


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        skip_or_fail("TEST_DATABASE_URL is not set; PostgreSQL tests skipped")
    return normalise_database_url(url)


def reset_postgres(url: str) -> None:
    """Empty the throwaway test database: drop and recreate its public schema."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url = postgres_url()
    reset_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """For tests that are about the embedded default only (browser, app start-up)."""
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def make_app(database_url: str, tmp_path: Path, **overrides):
    config = {
        "CONFIG": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "CONTENT_DIR": str(CONTENT_DIR),
        "SERVER_NAME": None,
        # The page cache's generation file: one per test (two apps of one test share it, like two workers).
        "PAGE_CACHE_GENERATION_FILE": str(tmp_path / "page_generation"),
        **overrides,
    }
    return create_app(config)


def _clear_g(sender, **extra):
    g.__dict__.clear()


@contextmanager
def configured_app(database_url: str, tmp_path: Path, **overrides):
    """An app with its tables created, its context pushed, and everything removed afterwards."""
    app = make_app(database_url, tmp_path, **overrides)
    request_started.connect(_clear_g, app)
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh app and database. Its app context stays pushed so tests can use the session directly.

    Test requests reuse a pushed app context, and with it ``g``; production gives each request a fresh
    one, so ``g`` is cleared when a request starts (it holds Flask-Login's user and cached settings).
    """
    with configured_app(database_url, tmp_path) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin(app):
    from factories import make_user

    return make_user("admin@example.org", roles=("admin",))


@pytest.fixture
def admin_client(app, client, admin):
    """The test client, signed in as an administrator."""
    from factories import login

    login(client, admin.email)
    return client


@pytest.fixture
def finance(app):
    """A staff account with the finance role (the ledger's keeper)."""
    from factories import make_user

    return make_user("finance@example.org", roles=("finance",))


@pytest.fixture
def fund(app):
    """The general fund, named as in the demo content and the import templates."""
    from factories import make_fund

    fund = make_fund(title="番禺区慈善基金", slug="panyu-cishan-jijin")
    db.session.commit()
    return fund


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The app with the shipped demo content loaded."""
    from charity_site.core.transaction import transaction
    from charity_site.demo_content.loader import load_content

    with transaction():
        report = load_content(CONTENT_DIR)
    assert report.ok, [str(error) for error in report.errors]
    return report


@pytest.fixture
def served_demo(sqlite_url, tmp_path):
    """The demo site served on a local port for browser tests: its base URL."""
    from browser import demo_site

    with demo_site(sqlite_url, tmp_path) as (_app, base_url):
        yield base_url


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private copy of content/ that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def pytest_terminal_summary(terminalreporter):
    """Say plainly which backends and how many browser journeys actually ran."""
    ran: dict[str, int] = {}
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if report.when != "call":
                continue
            for label in ("sqlite", "postgresql"):
                if f"[{label}" in report.nodeid or f"-{label}]" in report.nodeid:
                    ran[label] = ran.get(label, 0) + 1
            if "test_browser" in report.nodeid:
                ran["browser (Chromium)"] = ran.get("browser (Chromium)", 0) + 1
    skipped = len(terminalreporter.stats.get("skipped", []))
    line = ", ".join(f"{name}: {count}" for name, count in sorted(ran.items())) or "none"
    terminalreporter.write_line(f"tests executed per backend/browser: {line}; skipped: {skipped}")
