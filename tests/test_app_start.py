"""`python app.py` as a newcomer runs it: a SQLite database and a secret key appear, demo content loads once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_app
from demo_content import ledger_entries, section_files
from sqlalchemy import create_engine, select, text

from charity_site import create_app
from charity_site.config import PROJECT_ROOT
from charity_site.extensions import db
from charity_site.models import Project

CONFIG_VARIABLES = (
    "DATABASE_URL", "SECRET_KEY", "CONFIG", "FLASK_ENV", "LOAD_DEMO_CONTENT", "CONTENT_DIR", "UPLOAD_DIR",
    "SITE_URL", "REDIS_URL", "MAX_UPLOAD_MB", "INSTANCE_PATH", "HOST", "PORT", "ALLOW_SQLITE_IN_PRODUCTION",
)
A_GOOD_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
COUNTED_TABLES = ("site_settings", "pages", "projects", "project_updates", "funds", "news_posts", "disclosures",
                  "ledger_entries")


def run_app(instance: Path, *args: str, **env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    environment.update({"INSTANCE_PATH": str(instance), "PYTHONDONTWRITEBYTECODE": "1", **env})
    return subprocess.run(
        [sys.executable, "app.py", *args], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )


def row_counts(database: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return {table: connection.scalar(text(f"SELECT COUNT(*) FROM {table}")) for table in COUNTED_TABLES}
    finally:
        engine.dispose()


def test_first_start_creates_the_database_and_key_and_a_second_start_keeps_them_and_staff_edits(tmp_path):
    first = run_app(tmp_path, "--migrate-only", CONFIG="development")

    assert first.returncode == 0, first.stderr
    database = tmp_path / "charity.sqlite3"
    key_file = tmp_path / "secret_key"
    assert database.is_file()
    key = key_file.read_text(encoding="utf-8")
    assert len(key.strip()) >= 32
    assert key_file.stat().st_mode & 0o077 == 0, "the secret key must be readable by its owner only"
    assert "Loaded demo content" in first.stdout
    counts = row_counts(database)
    assert counts["projects"] == len(section_files("projects"))
    assert counts["news_posts"] == len(section_files("news"))
    assert counts["ledger_entries"] == len(ledger_entries())
    assert counts["site_settings"] == 1

    staff = make_app(f"sqlite:///{database}", tmp_path)
    with staff.app_context():
        project = db.session.scalars(select(Project).where(Project.slug == "zhumeng-weilai-teji")).one()
        project.title = "“筑梦未来”（工作人员修改后的标题）"
        db.session.commit()
        db.engine.dispose()

    second = run_app(tmp_path, "--migrate-only", CONFIG="development")

    assert second.returncode == 0, second.stderr
    assert key_file.read_text(encoding="utf-8") == key
    assert row_counts(database) == counts
    assert "Loaded demo content" not in second.stdout
    with staff.app_context():
        assert db.session.scalar(
            select(Project.title).where(Project.slug == "zhumeng-weilai-teji")
        ) == "“筑梦未来”（工作人员修改后的标题）"
        db.engine.dispose()


def test_production_without_a_secret_key_refuses_to_start_with_a_clear_message(tmp_path):
    result = run_app(tmp_path, "--migrate-only", CONFIG="production", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "secret_key").exists()
    assert not (tmp_path / "x.db").exists()


def test_production_refuses_a_short_secret_key(tmp_path):
    result = run_app(tmp_path, "--migrate-only", CONFIG="production", SECRET_KEY="abcde",
                     DATABASE_URL="postgresql://user@127.0.0.1:1/never-reached")

    assert result.returncode != 0
    assert "SECRET_KEY is too short (5 characters)" in result.stderr and "at least 32" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_production_refuses_sqlite_unless_explicitly_allowed(tmp_path):
    database = tmp_path / "site.sqlite3"
    refused = run_app(tmp_path, "--migrate-only", CONFIG="production", SECRET_KEY=A_GOOD_KEY,
                      DATABASE_URL=f"sqlite:///{database}")

    assert refused.returncode != 0
    assert "PostgreSQL" in refused.stderr and "ALLOW_SQLITE_IN_PRODUCTION=1" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    assert not database.exists()

    allowed = run_app(tmp_path, "--migrate-only", CONFIG="production", SECRET_KEY=A_GOOD_KEY,
                      DATABASE_URL=f"sqlite:///{database}", ALLOW_SQLITE_IN_PRODUCTION="1")

    assert allowed.returncode == 0, allowed.stderr
    assert database.is_file()


def production_app(tmp_path):
    return create_app({"CONFIG": "production", "SECRET_KEY": A_GOOD_KEY, "ALLOW_SQLITE_IN_PRODUCTION": True,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite3'}",
                       "UPLOAD_DIR": str(tmp_path / "uploads")})


@pytest.mark.parametrize("config", ["production", "development"])
def test_production_sends_hsts_and_sets_only_secure_cookies(tmp_path, config):
    app = production_app(tmp_path) if config == "production" else make_app(
        f"sqlite:///{tmp_path / 'site.sqlite3'}", tmp_path, CONFIG="development", SECRET_KEY=A_GOOD_KEY)
    with app.app_context():
        db.create_all()
        client = app.test_client()
        home = client.get("/")
        font = client.get("/font-size/large")
        sign_in = client.get("/admin/login")  # its form's CSRF token is kept in the session cookie
        db.engine.dispose()

    assert home.status_code == 200 and font.status_code == 302
    cookies = [value for response in (home, font, sign_in) for value in response.headers.getlist("Set-Cookie")]
    assert any(value.startswith("font_size=large") for value in cookies)
    assert any(value.startswith("session=") for value in cookies)
    if config == "production":
        assert home.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert all("; Secure" in value for value in cookies), cookies
    else:
        assert "Strict-Transport-Security" not in home.headers
        assert not any("; Secure" in value for value in cookies), cookies


def test_help_names_the_environment_variables_to_set(tmp_path):
    result = run_app(tmp_path, "--help", CONFIG="development")

    assert result.returncode == 0, result.stderr
    for variable in ("HOST", "PORT", "DATABASE_URL", "SECRET_KEY"):
        assert variable in result.stdout, f"--help does not mention {variable}"
