"""The production stack as shipped in deploy/: PostgreSQL, Redis, two gunicorn instances, nginx.

Everything is checked through nginx over TLS, as visitors and staff reach the site: pages answer;
a staff edit through one instance is seen through the other at once; failed sign-ins spread over
both instances lock the account; anonymous pages come from nginx's micro-cache on the second
request, a signed-in staff member's never; uploads are served by nginx itself; deploy/backup.sh
then deploy/restore.sh into a new database give the same ledger totals and pages.

Needs nginx, openssl, the PostgreSQL client programs, PostgreSQL (TEST_DATABASE_URL: the test
makes two more databases beside it, <name>_stack and <name>_restored, and drops them) and Redis
(STACK_REDIS_URL, default redis://127.0.0.1:6379/5). Skipped without them, failed under
REQUIRE_FULL_SUITE=1 (.ci/run installs nginx).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import random
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import (
    PROJECT_ROOT,
    Browser,
    Nginx,
    SiteValues,
    find_form,
    free_port,
    gunicorn,
    log_field,
    path_of,
    render_site,
    self_signed_certificate,
    stop,
    wait_for_port,
    which,
)
from support import skip_or_fail

from charity_site.config import normalise_database_url

PROJECT_SLUG = "zhumeng-weilai-teji"
PASSWORD = "stack-test-" + secrets.token_hex(8)
LOCK_MESSAGE = "登录失败次数过多"
ENV_TO_DROP = ("DATABASE_URL", "SECRET_KEY", "CONFIG", "FLASK_ENV", "LOAD_DEMO_CONTENT", "CONTENT_DIR", "UPLOAD_DIR",
               "SITE_URL", "REDIS_URL", "MAX_UPLOAD_MB", "INSTANCE_PATH", "LEDGER_IMPORT_DIR", "TRUSTED_PROXIES")


def random_loopback() -> str:
    """A loopback source address of its own, so this run's per-address sign-in counts are its own."""
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


def libpq(url: str) -> str:
    return normalise_database_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    base, _slash, _old = libpq(url).rpartition("/")
    return f"{base}/{name}"


def admin_sql(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(libpq(url), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def query(url: str, sql: str, *params) -> list[tuple]:
    import psycopg

    with psycopg.connect(libpq(url)) as connection:
        return connection.execute(sql, params).fetchall()


@dataclass
class Stack:
    tmp: Path
    database_url: str
    environment: dict[str, str]
    https_port: int
    http_port: int
    app_ports: dict[str, str]  # "127.0.0.1:port" -> instance name
    cert: Path
    upload_dir: Path
    access_log: Path
    staff_email: str
    other_email: str
    lock_email: str

    def browser(self, source: str = "127.0.0.1", cookies: dict | None = None) -> Browser:
        return Browser(self.https_port, self.cert, source=source, cookies=cookies)

    @staticmethod
    def probe(path: str) -> tuple[str, str]:
        """``path`` with a unique query parameter, to find its request in the logs."""
        marker = secrets.token_hex(6)
        return f"{path}{'&' if '?' in path else '?'}probe={marker}", f"probe={marker}"

    def nginx_log_line(self, marker: str, timeout: float = 3) -> str:
        """nginx's access-log line of the request carrying ``marker`` (written just after the answer)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.access_log.read_text(errors="replace").splitlines() if marker in line]
            if lines or time.monotonic() > deadline:
                assert lines, f"no request with {marker} in nginx's access log"
                return lines[-1]
            time.sleep(0.02)

    def instance(self, marker: str) -> str:
        """Which gunicorn instance ("a" or "b") served the request carrying ``marker``."""
        upstream = log_field(self.nginx_log_line(marker), "upstream")
        assert upstream in self.app_ports, f"{marker} was not served by an app server: upstream={upstream}"
        return self.app_ports[upstream]

    def app_servers_saw(self, marker: str) -> set[str]:
        """The gunicorn instances whose own access log has the request carrying ``marker``."""
        time.sleep(0.3)
        return {name for name in self.app_ports.values()
                if marker in (self.tmp / "logs" / f"{name}-access.log").read_text(errors="replace")}

    def flask_in_background(self, *args: str) -> subprocess.Popen:
        """``flask --app app ...`` as an administrator runs it, started; ``communicate()`` gives it its input."""
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT_ROOT,
                                env=self.environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)


def _requirements() -> tuple[str, str]:
    missing = which("nginx", "openssl", "pg_dump", "pg_restore", "psql")
    if missing:
        skip_or_fail(f"the stack test needs {', '.join(missing)} (apt-get install -y nginx postgresql-client)")
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        skip_or_fail("TEST_DATABASE_URL is not set; the stack test needs PostgreSQL")
    redis_url = os.environ.get("STACK_REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as error:
        skip_or_fail(f"the stack test needs Redis at {redis_url}: {error}")
    return url, redis_url


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    test_url, redis_url = _requirements()
    tmp = tmp_path_factory.mktemp("stack")
    base_name = libpq(test_url).rpartition("/")[2]
    database_url = with_database(test_url, f"{base_name}_stack")
    restored_url = with_database(test_url, f"{base_name}_restored")
    for url in (database_url, restored_url):
        name = url.rpartition("/")[2]
        admin_sql(test_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')

    upload_dir = tmp / "uploads"
    environment = {key: value for key, value in os.environ.items() if key not in ENV_TO_DROP}
    environment.update({
        "CONFIG": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
        "REDIS_URL": redis_url, "UPLOAD_DIR": str(upload_dir), "LEDGER_IMPORT_DIR": str(tmp / "imports"),
        "INSTANCE_PATH": str(tmp / "instance"), "TRUSTED_PROXIES": "1", "PYTHONDONTWRITEBYTECODE": "1",
    })
    run = secrets.token_hex(4)
    processes = []
    nginx = None
    try:
        prepared = subprocess.run([sys.executable, "app.py", "--migrate-only"], cwd=PROJECT_ROOT,
                                  env={**environment, "LOAD_DEMO_CONTENT": "1"}, capture_output=True, text=True,
                                  timeout=300)
        assert prepared.returncode == 0, prepared.stderr
        assert "Loaded demo content" in prepared.stdout
        stack = Stack(
            tmp=tmp, database_url=database_url, environment=environment, https_port=free_port(),
            http_port=free_port(), app_ports={}, cert=Path(), upload_dir=upload_dir,
            access_log=tmp / "logs" / "access.log", staff_email=f"editor-{run}@example.org",
            other_email=f"other-{run}@example.org", lock_email=f"locked-{run}@example.org",
        )
        (tmp / "logs").mkdir()
        ports = {name: free_port() for name in ("a", "b")}
        for name, port in ports.items():  # both start while the accounts are made
            processes.append(gunicorn(port, environment, tmp / "logs", name, wait=False))
            stack.app_ports[f"127.0.0.1:{port}"] = name
        creating = [stack.flask_in_background("users", "create", email, "--role", "editor", "--role", "finance",
                                              "--password-stdin")
                    for email in (stack.staff_email, stack.other_email, stack.lock_email)]
        for process in creating:
            output = process.communicate(PASSWORD + "\n", timeout=120)[0]
            assert process.returncode == 0, output
        for process, port in zip(processes, ports.values(), strict=False):
            wait_for_port(port, process, tmp / "logs" / f"{stack.app_ports[f'127.0.0.1:{port}']}.log")
        stack.cert, key = self_signed_certificate(tmp)
        nginx = Nginx(tmp / "nginx", render_site(SiteValues(
            http_port=stack.http_port, https_port=stack.https_port, app_servers=list(stack.app_ports),
            static_dir=PROJECT_ROOT / "static", upload_dir=upload_dir, cache_dir=tmp / "cache",
            log_dir=tmp / "logs", cert=stack.cert, key=key,
        )))
        nginx.start(stack.https_port)
        yield stack
    finally:
        if nginx is not None:
            nginx.stop()
        for process in processes:
            stop(process)
        for url in (database_url, restored_url):
            admin_sql(test_url, f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


@pytest.fixture(scope="module")
def staff(stack) -> Browser:
    """The editor, signed in once through nginx; the session cookie serves on both instances."""
    browser = stack.browser(random_loopback())
    assert sign_in(browser, stack.staff_email, PASSWORD).status == 302
    return browser


def sign_in(browser: Browser, email: str, password: str):
    page = browser.get("/admin/login")
    assert page.status == 200, page.status
    return browser.submit("/admin/login", page, "email", {"email": email, "password": password})


def test_pages_answer_through_nginx_over_tls_and_plain_http_redirects(stack):
    visitor = stack.browser()
    for path in ("/", f"/projects/{PROJECT_SLUG}", "/ledger/", "/funds/", "/disclosures/", "/news/", "/about",
                 "/search?q=救助"):
        response = visitor.get(path, **{"Accept-Encoding": "gzip"})
        assert response.status == 200, path
        assert response.header("Content-Type").startswith("text/html"), path
        assert response.header("Content-Encoding") == "gzip", f"{path} is not compressed"
    assert visitor.get("/no-such-page").status == 404

    plain = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    plain.request("GET", "/ledger/?page=2")
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location").startswith("https://") and redirect.getheader("Location").endswith(
        "/ledger/?page=2")
    plain.close()

    stylesheet = next(line.split('href="')[1].split('"')[0] for line in visitor.get("/").text.splitlines()
                      if 'rel="stylesheet"' in line)
    css_path, marker = stack.probe(path_of(stylesheet))
    css = visitor.get(css_path)
    assert css.status == 200 and css.header("Content-Type").startswith("text/css")
    assert "immutable" in css.header("Cache-Control") and "max-age=31536000" in css.header("Cache-Control")
    assert css.body == (PROJECT_ROOT / css_path.split("?")[0].lstrip("/")).read_bytes()
    assert stack.app_servers_saw(marker) == set(), "static files are served by nginx alone"


def test_a_staff_edit_through_one_instance_is_seen_through_the_other_at_once(stack, staff):
    (project_id,) = query(stack.database_url, "SELECT id FROM projects WHERE slug = %s", PROJECT_SLUG)[0]
    new_title = f"筑梦未来（堆栈测试 {secrets.token_hex(3)}）"
    edit_path = f"/admin/projects/{project_id}/edit"
    form_page = staff.get(edit_path)
    assert form_page.status == 200

    action, marker = stack.probe(edit_path)
    saved = staff.submit(edit_path, form_page, "title", {"title": new_title}, action=action)
    assert saved.status == 302, saved.text[:2000]
    edited_by = stack.instance(marker)

    seen_by = set()
    for _ in range(4):
        path, marker = stack.probe(f"/projects/{PROJECT_SLUG}")
        page = staff.get(path)
        assert page.status == 200
        assert new_title in page.text, "a staff member must see the edit at once"
        seen_by.add(stack.instance(marker))
    assert seen_by == {"a", "b"}, f"the edit went through {edited_by}; reads went to {seen_by}"


def test_five_failed_sign_ins_spread_over_both_instances_lock_the_account(stack):
    attacker = stack.browser(random_loopback())
    page = attacker.get("/admin/login")
    instances = []
    for attempt in range(5):
        action, marker = stack.probe("/admin/login")
        refused = attacker.submit("/admin/login", page, "email",
                                  {"email": stack.lock_email, "password": f"wrong-password-{attempt}"}, action=action)
        assert refused.status == 401, refused.status
        instances.append(stack.instance(marker))
    assert set(instances) == {"a", "b"}, instances

    locked = attacker.submit("/admin/login", page, "email", {"email": stack.lock_email, "password": PASSWORD})
    assert locked.status == 429 and LOCK_MESSAGE in locked.text
    elsewhere = stack.browser(random_loopback())
    assert sign_in(elsewhere, stack.lock_email, PASSWORD).status == 429, "the account is locked from any address"
    # ... but the lock is the account's and the attacker's address, not everybody's: behind nginx the app
    # sees each client's own address (TRUSTED_PROXIES=1), so other staff still sign in.
    colleague = stack.browser(random_loopback())
    assert sign_in(colleague, stack.other_email, PASSWORD).status == 302


def test_anonymous_pages_come_from_the_nginx_cache_a_signed_in_staff_member_never(stack, staff):
    path = f"/funds/?cache-check={secrets.token_hex(4)}"
    visitor = stack.browser()
    first, second = visitor.get(path), visitor.get(path)
    assert (first.header("X-Cache-Status"), second.header("X-Cache-Status")) == ("MISS", "HIT")
    assert second.body == first.body and "font-medium" in second.text
    assert "public" in second.header("Cache-Control")

    large_print = stack.browser(cookies={"font_size": "large"})
    assert large_print.get(path).header("X-Cache-Status") == "MISS", "the font size is part of the cache key"
    again = large_print.get(path)
    assert again.header("X-Cache-Status") == "HIT" and "font-large" in again.text
    assert "font-medium" in visitor.get(path).text

    staff_path = f"/funds/?staff-check={secrets.token_hex(4)}"
    for _ in range(2):
        response = staff.get(staff_path)
        assert response.status == 200
        assert response.header("X-Cache-Status") == "BYPASS"
        assert "private" in response.header("Cache-Control")
    assert staff.get(path).header("X-Cache-Status") == "BYPASS", "not even a page others have cached"
    assert visitor.get(staff_path).header("X-Cache-Status") == "MISS", "a staff member's page was stored"

    # A response that sets a cookie is never stored, though a plain redirect would be.
    switch = f"/font-size/large?next=/funds/%3Fc%3D{secrets.token_hex(4)}"
    for _ in range(2):
        response = stack.browser().get(switch)
        assert response.status == 302 and "font_size=large" in response.header("Set-Cookie")
        assert response.header("X-Cache-Status") == "MISS"


def test_nginx_limits_the_public_form_posts_of_one_address_but_not_its_page_views(stack):
    crowd_of_one = stack.browser(random_loopback())
    statuses = [crowd_of_one.post("/donate", [("amount", "100")]).status for _ in range(14)]
    assert 429 not in statuses[:10], f"the first posts pass (burst of 10): {statuses}"
    assert statuses[-1] == 429, f"then nginx refuses: {statuses}"
    assert crowd_of_one.get("/donate").status == 200, "reading the page is never limited"
    assert stack.browser(random_loopback()).post("/donate", [("amount", "100")]).status != 429, (
        "another address is not limited")


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def uploaded(stack, staff) -> dict[str, dict]:
    """A picture and a PDF uploaded by the editor through nginx: the upload API's answers by type."""
    page = staff.get("/admin/uploads/")
    token = dict(find_form(page.text, "upload-csrf_token").fields)["upload-csrf_token"]
    stored = {}
    for title, filename, content_type, data in (("堆栈测试图片", "photo.png", "image/png", _png()),
                                                ("堆栈测试报告", "审计报告.pdf", "application/pdf", PDF)):
        response = staff.post_multipart("/admin/uploads/api", [("upload-csrf_token", token), ("upload-title", title)],
                                        [("upload-file", filename, content_type, data)], referer="/admin/uploads/")
        assert response.status == 201, response.text
        stored[content_type] = json.loads(response.body)
    return stored


def test_an_upload_is_served_by_nginx_with_its_headers(stack, uploaded):
    image = uploaded["image/png"]
    visitor = stack.browser()
    for url in (image["url"], image["thumbnail_url"]):
        path, marker = stack.probe(url)
        response = visitor.get(path)
        assert response.status == 200
        assert log_field(stack.nginx_log_line(marker), "upstream") == "-" and not stack.app_servers_saw(marker)
        assert response.header("Content-Type") == "image/png"
        assert response.header("Cache-Control") == "public, max-age=31536000, immutable"
        assert response.header("X-Content-Type-Options") == "nosniff"
        assert "default-src 'self'" in response.header("Content-Security-Policy")
        assert response.body == (stack.upload_dir / url.removeprefix("/uploads/")).read_bytes()

    pdf = uploaded["application/pdf"]
    path, marker = stack.probe(pdf["url"])
    inline = visitor.get(path)
    assert inline.status == 200 and inline.header("Content-Type") == "application/pdf" and inline.body == PDF
    assert log_field(stack.nginx_log_line(marker), "upstream") == "-"
    path, marker = stack.probe(pdf["url"] + "?download=1")
    download = visitor.get(path)
    assert download.status == 200 and download.body == PDF
    assert "attachment" in download.header("Content-Disposition") and "%E5%AE%A1" in download.header(
        "Content-Disposition"), "a download goes to the app, which names the file after its original name"
    assert stack.instance(marker) in ("a", "b")

    unknown = visitor.get("/uploads/" + "0" * 32 + ".png")
    assert unknown.status == 404 and "text/html" in unknown.header("Content-Type"), "the app's own 404 page"


def _ledger_totals(url: str) -> list[tuple]:
    return query(url, "SELECT kind, fund_id, count(*), sum(amount_fen) FROM ledger_entries WHERE NOT voided "
                      "GROUP BY kind, fund_id ORDER BY kind, fund_id")


def _pages(url: str, upload_dir: Path) -> dict[str, bytes]:
    from charity_site import create_app
    from charity_site.extensions import db

    app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
                      "UPLOAD_DIR": str(upload_dir), "SERVER_NAME": None})
    client = app.test_client()
    pages = {}
    for path in ("/", "/ledger/", "/funds/", f"/projects/{PROJECT_SLUG}", "/disclosures/", "/search?q=救助",
                 "/open-data/ledger.csv"):
        response = client.get(path)
        assert response.status_code == 200, (url, path, response.status_code)
        # A page with a pledge form carries a token made for this one visit: compare everything else.
        pages[path] = re.sub(rb'(name="(?:submission_token|csrf_token)" type="hidden" value=")[^"]*"', rb'\1"',
                             response.get_data())
    with app.app_context():
        db.engine.dispose()
    return pages


def test_backup_then_restore_into_a_new_database_gives_the_same_ledger_totals_and_pages(stack, uploaded):
    backups = stack.tmp / "backups"
    backup = subprocess.run(["bash", str(PROJECT_ROOT / "deploy" / "backup.sh")], cwd=PROJECT_ROOT,
                            env={**stack.environment, "BACKUP_DIR": str(backups)}, capture_output=True, text=True,
                            timeout=120)
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert folder.parent == backups and sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS", "database.dump", "uploads.tar.gz"]

    restored_url = stack.database_url.rpartition("_stack")[0] + "_restored"
    restored_uploads = stack.tmp / "restored-uploads"
    restore = ["bash", str(PROJECT_ROOT / "deploy" / "restore.sh"), str(folder), restored_url, str(restored_uploads)]
    result = subprocess.run(restore, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

    totals = _ledger_totals(stack.database_url)
    assert totals and _ledger_totals(restored_url) == totals
    originals = sorted(p.relative_to(stack.upload_dir) for p in stack.upload_dir.rglob("*") if p.is_file())
    assert len(originals) >= 3, "the picture, its thumbnail and the PDF"
    for relative in originals:
        assert (restored_uploads / relative).read_bytes() == (stack.upload_dir / relative).read_bytes()
    assert _pages(restored_url, restored_uploads) == _pages(stack.database_url, stack.upload_dir)

    again = subprocess.run(restore, capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "new, empty database" in again.stderr, "a restore never mixes into data"
