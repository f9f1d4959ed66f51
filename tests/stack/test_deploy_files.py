"""What an administrator copies from deploy/ agrees with the app: commands exist, sizes match, nginx accepts it."""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shlex
import time
from pathlib import Path

from conftest import make_app
from harness import DEPLOY, NGINX_SITE, Nginx, SiteValues, render_site, self_signed_certificate, which
from support import skip_or_fail

from charity_site.config import BaseConfig

SYSTEMD = DEPLOY / "systemd"
PENDING = "NEEDS the command"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser


def test_every_timer_starts_a_service_whose_flask_command_exists_or_is_marked_as_awaiting_its_feature(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'cli.sqlite3'}", tmp_path)
    timers = sorted(SYSTEMD.glob("*.timer"))
    assert {timer.stem for timer in timers} >= {
        "charity-site-pledges-expire", "charity-site-volunteers-remind", "charity-site-cleanup-imports",
        "charity-site-backup",
    }
    for timer in timers:
        service = timer.with_suffix(".service")
        assert service.is_file(), f"{timer.name} has no {service.name}"
        assert unit(timer)["Timer"]["OnCalendar"]
        command = shlex.split(unit(service)["Service"]["ExecStart"])
        if "flask" not in Path(command[0]).name:
            assert (DEPLOY.parent / command[0].removeprefix("/srv/charity-site/app/")).is_file(), command
            continue
        assert command[1:3] == ["--app", "app"], command
        group, name = command[3], command[4]
        exists = group in app.cli.commands and name in app.cli.commands[group].commands
        pending = PENDING in service.read_text(encoding="utf-8")
        assert exists != pending, (
            f"{service.name}: `flask {group} {name}` " + ("now exists: remove the NEEDS note" if exists
                                                          else "does not exist and the unit does not say so"))


def test_cleanup_imports_removes_import_spreadsheets_older_than_two_days_and_keeps_newer_ones(tmp_path):
    imports = tmp_path / "imports"
    imports.mkdir()
    old, recent = imports / "old-token.xlsx", imports / "recent-token.xlsx"
    for path in (old, recent, imports / "old-token.json"):
        path.write_bytes(b"spreadsheet")
    three_days_ago = time.time() - 3 * 24 * 3600
    for path in (old, imports / "old-token.json"):
        os.utime(path, (three_days_ago, three_days_ago))
    app = make_app(f"sqlite:///{tmp_path / 'cli.sqlite3'}", tmp_path, LEDGER_IMPORT_DIR=str(imports))

    result = app.test_cli_runner().invoke(args=["ledger", "cleanup-imports"])

    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in imports.iterdir()) == ["recent-token.xlsx"]


def test_nginx_accepts_larger_bodies_than_the_app_exactly_as_large_as_the_app_does():
    size = re.search(r"client_max_body_size (\d+)m;", NGINX_SITE.read_text(encoding="utf-8"))
    assert size, "the nginx site sets client_max_body_size"
    assert int(size.group(1)) * 1024 * 1024 == BaseConfig.MAX_CONTENT_LENGTH


def test_the_shipped_nginx_site_passes_nginx_t_inside_a_debian_like_main_configuration(tmp_path):
    if which("nginx", "openssl"):
        skip_or_fail("nginx and openssl are needed (apt-get install -y nginx)")
    cert, key = self_signed_certificate(tmp_path)
    (tmp_path / "logs").mkdir()
    site = render_site(SiteValues(
        http_port=8080, https_port=8443, app_servers=["127.0.0.1:8000", "127.0.0.1:8001"], static_dir=tmp_path,
        upload_dir=tmp_path, cache_dir=tmp_path / "cache", log_dir=tmp_path / "logs", cert=cert, key=key,
    ))
    Nginx(tmp_path / "nginx", site).check()


def load_gunicorn_config(monkeypatch, **environment):
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("gunicorn_config_under_test", DEPLOY / "gunicorn.conf.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    return config


def test_gunicorn_freezes_the_loaded_app_once_in_the_master_when_preloading_else_in_each_worker(monkeypatch):
    import gc

    frozen = []
    monkeypatch.setattr(gc, "collect", lambda *generation: 0)
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))

    preloading = load_gunicorn_config(monkeypatch, GUNICORN_PRELOAD="1")
    preloading.post_worker_init(worker=None)
    assert frozen == []
    preloading.pre_fork(server=None, worker=None)
    assert frozen == [True]

    each_worker = load_gunicorn_config(monkeypatch, GUNICORN_PRELOAD="0")
    each_worker.pre_fork(server=None, worker=None)
    assert frozen == [True]
    each_worker.post_worker_init(worker=None)
    assert frozen == [True, True]
