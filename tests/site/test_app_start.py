"""`python app.py` as a newcomer runs it: a SQLite database and a secret key appear, demo content loads once."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import make_app
from demo_samples import ledger_entries, section_files
from flask import jsonify, request
from sqlalchemy import create_engine, select, text

from charity_site import create_app
from charity_site.config import PROJECT_ROOT
from charity_site.extensions import db
from charity_site.models import Project

CONFIG_VARIABLES = (
    "DATABASE_URL", "SECRET_KEY", "CONFIG", "FLASK_ENV", "LOAD_DEMO_CONTENT", "CONTENT_DIR", "UPLOAD_DIR",
    "SITE_URL", "REDIS_URL", "MAX_UPLOAD_MB", "INSTANCE_PATH", "HOST", "PORT", "ALLOW_SQLITE_IN_PRODUCTION",
    "THREADS", "TRUSTED_PROXIES",
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


def import_app_module(instance: Path, monkeypatch, **env):
    """Import app.py afresh, as `python app.py` or gunicorn would, with the given environment."""
    for variable in CONFIG_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    monkeypatch.setenv("CONFIG", "development")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("app_under_test", PROJECT_ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "prepare_database", lambda flask_app, load_demo: None)
    return module


def test_python_app_py_serves_with_waitress_in_several_threads(tmp_path, monkeypatch):
    import waitress

    module = import_app_module(tmp_path, monkeypatch)
    calls, steps = [], []
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: (calls.append((app, kwargs)), steps.append("serve")))
    monkeypatch.setattr(module, "freeze_startup_objects", lambda: steps.append("freeze"))
    monkeypatch.setattr(module.app, "run", lambda *a, **k: pytest.fail("the development server must not run"))

    module.main([])
    module.main(["--host", "0.0.0.0", "--port", "8080", "--threads", "4"])

    assert calls[0] == (module.app, {"host": "127.0.0.1", "port": 5000, "threads": module.DEFAULT_THREADS})
    assert module.DEFAULT_THREADS >= 4
    assert calls[1] == (module.app, {"host": "0.0.0.0", "port": 8080, "threads": 4})
    # What start-up loaded is frozen out of full garbage collections before the first request is served.
    assert steps == ["freeze", "serve", "freeze", "serve"]


def test_debug_runs_the_development_server_with_the_reloader_instead_of_waitress(tmp_path, monkeypatch):
    import waitress

    module = import_app_module(tmp_path, monkeypatch, THREADS="3")
    runs = []
    monkeypatch.setattr(waitress, "serve", lambda *a, **k: pytest.fail("waitress must not serve in --debug"))
    monkeypatch.setattr(module.app, "run", lambda **kwargs: runs.append(kwargs))

    module.main(["--debug", "--port", "5001"])

    assert runs == [{"host": "127.0.0.1", "port": 5001, "debug": True, "use_reloader": True}]


def _address_and_scheme(module) -> str:
    module.app.add_url_rule("/_client", "client_address", lambda: jsonify(f"{request.remote_addr} {request.scheme}"))
    return module.app.test_client().get(
        "/_client", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ).get_json()


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path, monkeypatch):
    behind_nginx = import_app_module(tmp_path, monkeypatch, TRUSTED_PROXIES="1")
    assert _address_and_scheme(behind_nginx) == "203.0.113.9 https"

    direct = import_app_module(tmp_path, monkeypatch)
    assert _address_and_scheme(direct) == "127.0.0.1 http", "without a proxy a forged header must be ignored"


def test_a_malformed_trusted_proxies_value_stops_start_up_with_a_clear_message(tmp_path):
    result = run_app(tmp_path, "--migrate-only", CONFIG="development", TRUSTED_PROXIES="nginx")

    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_sqlite_waits_for_a_busy_writer_instead_of_failing_and_keeps_wal(tmp_path):
    flask_app = make_app(f"sqlite:///{tmp_path / 'busy.sqlite3'}", tmp_path)
    with flask_app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_python_app_py_answers_http_requests_on_an_existing_database(tmp_path):
    assert run_app(tmp_path, "--migrate-only", "--no-demo", CONFIG="development").returncode == 0
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    environment.update({"INSTANCE_PATH": str(tmp_path), "CONFIG": "development", "PYTHONDONTWRITEBYTECODE": "1"})
    server = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_ROOT, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/about", timeout=5) as response:
                    server_header, status = response.headers.get("Server", ""), response.status
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "python app.py did not answer within 60 s"
                time.sleep(0.1)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]

    assert status == 200
    assert "waitress" in server_header
    assert f"http://127.0.0.1:{port}" in output
