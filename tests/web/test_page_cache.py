"""The page cache: what a crowd gets from the stored copy, what is never stored or served, and that every
kind of public write (and a scheduled publication) is seen by the next visitor at once."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from factories import login, make_entry, make_fund, make_news, make_project, make_site_settings, make_user
from flask import flash, redirect, render_template_string
from sqlalchemy import event

from charity_site.core.public_changes import public_change_now
from charity_site.extensions import db
from charity_site.models import Project, PublicationStatus, utcnow
from charity_site.volunteers.models import Opportunity


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def make_site() -> Project:
    """Settings, a news post and a project, committed: the project is returned."""
    make_site_settings(org_name="测试慈善会")
    make_news(title="第一条新闻")
    project = make_project(title="助学计划")
    db.session.commit()
    return project


@pytest.fixture
def site(app):
    return make_site()


def visitor(app):
    return app.test_client()


def staff(app, *roles):
    client = app.test_client()
    user = make_user(roles=roles)
    assert login(client, user.email).status_code == 302
    return client


def cache_of(response) -> str:
    return response.headers["X-Page-Cache"]


def text(response) -> str:
    return response.get_data(as_text=True)


# --- hits -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/projects/", "/news/", "/ledger/", "/feeds/news.atom"])
def test_the_second_anonymous_visit_is_served_from_the_cache_without_any_sql(app, site, path):
    first = visitor(app).get(path)
    assert first.status_code == 200 and cache_of(first) == "miss"

    db.session.remove()
    with counting_queries() as statements:
        again = visitor(app).get(path)
    assert statements == []
    assert again.status_code == 200 and cache_of(again) == "hit"
    assert again.get_data() == first.get_data()
    for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Type", "X-Frame-Options"):
        assert again.headers[header] == first.headers[header], header


def test_a_crowds_hit_is_answered_in_front_of_flask_with_the_same_headers(app, site):
    """A visitor without cookies gets the stored page before Flask runs any hook; a visitor whose session
    holds only a form token is still served from the cache, by Flask's first hook."""
    hooks_run = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: hooks_run.append(1))
    path = f"/projects/{site.slug}"
    first = visitor(app).get(path)
    assert cache_of(first) == "miss" and hooks_run == [1]

    again = visitor(app).get(path)
    assert cache_of(again) == "hit" and hooks_run == [1]  # no request context, no hook
    skipped = {"date", "content-length", "x-page-cache"}
    assert sorted((k, v) for k, v in first.headers.items() if k.lower() not in skipped) == sorted(
        (k, v) for k, v in again.headers.items() if k.lower() not in skipped)
    assert again.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert int(again.headers["Content-Length"]) == len(again.get_data()) == len(first.get_data())
    head = visitor(app).head(path)
    assert head.status_code == 200 and cache_of(head) == "hit" and head.get_data() == b""

    with_token = visitor(app)
    with with_token.session_transaction() as session:
        session["csrf_token"] = "a-form-token"
    served = with_token.get(path)
    assert cache_of(served) == "hit" and hooks_run == [1, 1]  # through Flask this time
    assert served.get_data() == first.get_data()


def test_a_project_page_is_served_from_the_cache_and_head_shares_the_entry(app, site):
    path = f"/projects/{site.slug}"
    assert cache_of(visitor(app).head(path)) == "miss"
    with counting_queries() as statements:
        hit = visitor(app).get(path)
    assert statements == [] and cache_of(hit) == "hit" and "助学计划" in text(hit)


def test_a_conditional_request_is_answered_304_from_the_cached_entry(app, site):
    etag = visitor(app).get("/").headers["ETag"]
    db.session.remove()
    with counting_queries() as statements:
        response = visitor(app).get("/", headers={"If-None-Match": etag})
    assert statements == []
    assert response.status_code == 304 and response.get_data() == b"" and cache_of(response) == "hit"


def test_the_query_string_in_any_order_is_one_entry_and_another_query_is_another(app, site):
    assert cache_of(visitor(app).get("/news/?page=1&category=x")) == "miss"
    assert cache_of(visitor(app).get("/news/?category=x&page=1")) == "hit"
    assert cache_of(visitor(app).get("/news/?page=1")) == "miss"


def test_the_font_size_cookie_gets_its_own_entry(app, site):
    assert cache_of(visitor(app).get("/")) == "miss"
    large = visitor(app)
    large.set_cookie("font_size", "large")
    first = large.get("/")
    assert cache_of(first) == "miss" and "font-large" in text(first)
    again = large.get("/")
    assert cache_of(again) == "hit" and "font-large" in text(again)
    assert "font-large" not in text(visitor(app).get("/"))


# --- never stored, never served -----------------------------------------------------------------------------


def test_a_signed_in_staff_member_is_never_served_from_the_cache_nor_stored(app, site):
    editor = staff(app, "editor")
    # Staff first: their page (with the staff bar) must not become the crowd's.
    staff_page = editor.get(f"/projects/{site.slug}")
    assert cache_of(staff_page) == "bypass" and staff_page.headers["Cache-Control"] == "private, no-store"
    anonymous = visitor(app).get(f"/projects/{site.slug}")
    assert cache_of(anonymous) == "miss" and "/admin/" not in text(anonymous).split("<main", 1)[0]

    # The page is stored now; the staff member still gets a fresh one of their own, never stored.
    again = editor.get(f"/projects/{site.slug}")
    assert cache_of(again) == "bypass" and again.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in again.headers


def test_a_response_that_sets_a_cookie_is_never_stored(app, site):
    @app.get("/_test/cookie")
    def with_cookie():
        response = app.make_response(render_template_string("<p>饼干</p>"))
        response.set_cookie("seen", "1")
        return response

    for _ in range(2):
        response = visitor(app).get("/_test/cookie")
        assert cache_of(response) == "bypass" and "seen=1" in response.headers["Set-Cookie"]


def test_a_waiting_flash_message_is_shown_not_lost_to_a_cached_page(app, site):
    @app.get("/_test/flash-and-home")
    def flash_and_home():
        flash("您的留言已收到")
        return redirect("/")

    client = visitor(app)
    assert cache_of(client.get("/")) == "miss"
    assert cache_of(client.get("/")) == "hit"

    home = client.get("/_test/flash-and-home", follow_redirects=True)
    assert "您的留言已收到" in text(home) and cache_of(home) == "bypass"
    after = client.get("/")
    assert "您的留言已收到" not in text(after) and cache_of(after) == "hit"


def test_admin_pages_and_errors_are_never_stored(app, site):
    editor = staff(app, "editor")
    assert cache_of(editor.get("/admin/")) == "bypass"
    for _ in range(2):
        assert visitor(app).get("/news/no-such-post").status_code == 404
    assert cache_of(visitor(app).get("/news/no-such-post")) == "bypass"


# --- invalidation after each kind of public write -------------------------------------------------------------


def publish_news(app):
    response = staff(app, "editor").post("/admin/news/new", data={
        "title": "新发布的新闻", "slug": "", "summary": "", "body_md": "正文", "status": "published",
        "publish_at": "", "category": "", "source": "", "author": "", "cover_image": ""})
    assert response.status_code == 302
    return "/news/", "新发布的新闻"


def edit_project(app):
    project = db.session.scalars(db.select(Project)).first()
    response = staff(app, "editor").post(f"/admin/projects/{project.id}/edit", data={
        "title": "改名后的助学计划", "slug": project.slug, "summary": "", "body_md": "正文", "status": "published",
        "publish_at": "", "category": "助学支教", "project_status": "active", "fund_id": "0",
        "version": project.version})
    assert response.status_code == 302, text(response)
    return f"/projects/{project.slug}", "改名后的助学计划"


def record_ledger_line(app):
    fund = make_fund(title="测试基金")
    db.session.commit()
    response = staff(app, "finance").post("/admin/ledger/new", data={
        "kind": "income", "occurred_on": "2024-10-12", "amount_fen": "1,234.50", "fund_id": str(fund.id),
        "project_id": "", "category": "捐赠收入", "channel": "银行转账", "counterparty": "某某公司",
        "counterparty_type": "organisation", "voucher_no": "SR-1", "summary": "重阳节定向捐赠", "note": ""})
    assert response.status_code == 302, text(response)
    return "/ledger/", "重阳节定向捐赠"


def publish_disclosure(app):
    from charity_site.models import Disclosure

    client = staff(app, "editor")
    assert client.post("/admin/disclosures/new", data={
        "kind": "fund_use", "title": "第四季度助学金使用情况公示", "summary": "", "period_start": "2024-10-01",
        "period_end": "2024-12-31", "project_id": "", "fund_id": "", "body_md": "合计 12,000 元。",
        "version": ""}).status_code == 302
    disclosure = db.session.scalars(db.select(Disclosure)).one()
    assert client.post(f"/admin/disclosures/{disclosure.id}/publish").status_code == 302
    return "/disclosures/", "第四季度助学金使用情况公示"


def confirm_pledge(app):
    from donations.factories_donations import CREDIT_CODE, giving_ready, make_pledge, open_project

    from charity_site.core.formatting import local_today
    from charity_site.core.site_settings import get_settings

    get_settings().credit_code = CREDIT_CODE  # needed before a campaign opens
    giving_ready()
    project = open_project()
    pledge = make_pledge(project, amount_fen=12_300)
    visitor(app).get(f"/projects/{project.slug}")  # stored before the money arrives
    assert cache_of(visitor(app).get(f"/projects/{project.slug}")) == "hit"
    response = staff(app, "finance").post(f"/admin/pledges/{pledge.id}/confirm", data={
        "amount": "123.00", "received_on": local_today().isoformat(), "channel": "银行转账"})
    assert response.status_code == 303
    return f"/projects/{project.slug}", "¥123.00"


def change_site_settings(app):
    response = staff(app, "admin").post("/admin/settings/", data={
        "org_name": "改名后的慈善会", "org_short_name": "", "tagline": "", "intro_md": "", "credit_code": "",
        "address": "", "phone": "", "supervision_phone": "", "email": "", "icp_number": "",
        "charity_china_url": "", "founded_year": "", "version": "1"})
    assert response.status_code == 302, text(response)
    return "/", "改名后的慈善会"


def publish_opportunity(app):
    response = staff(app, "coordinator").post("/admin/volunteers/new", data={
        "title": "慈善健康行", "location": "番禺广场", "area": "市桥街道", "minimum_age": "16",
        "body_md": "一起走", "status": "published", "insurance_arranged": "y"})
    assert response.status_code == 302, text(response)
    return f"/volunteer/{db.session.scalars(db.select(Opportunity)).one().slug}", "慈善健康行"


WRITES = [publish_news, edit_project, record_ledger_line, publish_disclosure, confirm_pledge, change_site_settings,
          publish_opportunity]
PAGES_BEFORE = {publish_news: "/news/", edit_project: None, record_ledger_line: "/ledger/",
                publish_disclosure: "/disclosures/", change_site_settings: "/", publish_opportunity: "/volunteer"}
# (an opportunity's own page has no address before it exists: the list, stored before, must change too)


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_every_kind_of_public_write_is_seen_by_the_next_visitor(app, site, write):
    before = PAGES_BEFORE.get(write) or f"/projects/{site.slug}"
    visitor(app).get(before)
    assert cache_of(visitor(app).get(before)) == "hit"

    path, shown = write(app)

    response = visitor(app).get(path)
    assert response.status_code == 200
    assert cache_of(response) == "miss" and shown in text(response)
    assert cache_of(visitor(app).get(path)) == "hit"


def test_signing_in_does_not_empty_the_cache(app, site):
    visitor(app).get("/")
    staff(app, "editor")  # writes the audit log and the account's last sign-in, nothing public
    assert cache_of(visitor(app).get("/")) == "hit"


def test_a_write_that_rolls_back_keeps_the_cache(app, site):
    visitor(app).get("/")
    site.title = "不会保存的标题"
    db.session.flush()
    db.session.rollback()
    assert cache_of(visitor(app).get("/")) == "hit"


def test_raw_sql_writes_are_announced_by_hand(app, site):
    visitor(app).get("/projects/")
    db.session.execute(db.text("UPDATE projects SET title = '直接改的标题'"))
    db.session.commit()
    public_change_now()
    response = visitor(app).get("/projects/")
    assert cache_of(response) == "miss" and "直接改的标题" in text(response)


def test_site_wide_figures_summed_once_follow_every_public_change(app, site):
    """The home's people-helped figure sums every project once per generation, even when pages are rendered."""
    app.config["PAGE_CACHE"] = False

    def helped() -> str:
        page = text(visitor(app).get("/"))
        return page.split('data-stat="beneficiaries">', 1)[1].split("<", 1)[0]

    site.beneficiaries = 120
    db.session.commit()
    assert helped() == "120"
    make_project(title="长者助餐", beneficiaries=80)
    db.session.commit()
    assert helped() == "200"
    db.session.execute(db.text("UPDATE projects SET beneficiaries = 1"))  # raw SQL is not seen...
    db.session.commit()
    assert helped() == "200"
    public_change_now()  # ...until it is announced, as `flask cache clear` does
    assert helped() == "2"


def test_site_income_summed_once_follows_new_voided_and_hidden_lines(app, site):
    """The site's income on the home page and /ledger is summed once a generation: every change to it shows."""
    from charity_site.finance.models import EntryKind, Fund

    app.config["PAGE_CACHE"] = False

    def income() -> tuple[str, str]:
        home = text(visitor(app).get("/")).split('data-stat="income">', 1)[1].split("<", 1)[0]
        ledger = text(visitor(app).get("/ledger/"))
        return home, ledger.split("收入 ", 1)[1].split("，", 1)[0] if "收入 " in ledger else ""

    first = make_fund(title="第一基金")
    second = make_fund(title="第二基金")
    make_entry(first, 1_000_00)
    db.session.commit()
    assert income()[0] == income()[0]
    before = income()
    line = make_entry(second, 250_00)
    db.session.commit()
    after_new = income()
    assert after_new != before
    line.voided, line.void_reason, line.voided_at = True, "录入错误", utcnow()
    db.session.commit()
    assert income() == before
    make_entry(second, 300_00, EntryKind.INCOME)
    db.session.commit()
    with_second = income()
    assert with_second != before
    db.session.get(Fund, second.id).status = PublicationStatus.DRAFT  # the fund is hidden: its lines leave the totals
    db.session.commit()
    assert income() == before


def test_a_scheduled_post_appears_when_its_time_comes(app, site):
    due = utcnow() + timedelta(seconds=1.5)
    make_news(title="定时发布的新闻", status=PublicationStatus.SCHEDULED, published_at=due)
    db.session.commit()
    state = app.extensions["page_cache"].state()
    assert abs(state.next_publication - due.timestamp()) < 0.001  # the cache knows when it must expire

    assert "定时发布的新闻" not in text(visitor(app).get("/news/"))
    waiting = visitor(app).get("/news/")
    assert cache_of(waiting) == "hit" and "定时发布的新闻" not in text(waiting)

    time.sleep(max(0.0, due.timestamp() - time.time()) + 0.05)  # the clock passes its time; nobody writes

    published = visitor(app).get("/news/")
    assert cache_of(published) == "miss" and "定时发布的新闻" in text(published)
    assert app.extensions["page_cache"].state().next_publication is None


def test_an_entry_expires_after_the_ttl_whatever_happens(app, site):
    visitor(app).get("/")
    app.config["PAGE_CACHE_TTL"] = 0
    app.extensions["page_cache"].ttl = 0
    time.sleep(0.01)
    assert cache_of(visitor(app).get("/")) == "miss"


def test_flask_cache_clear_starts_a_new_generation(app, site):
    visitor(app).get("/")
    before = app.extensions["page_cache"].state().counter
    result = app.test_cli_runner().invoke(args=["cache", "clear"])
    assert result.exit_code == 0 and f"generation {before + 1}" in result.output
    assert cache_of(visitor(app).get("/")) == "miss"


def test_the_cache_can_be_turned_off(app, site):
    app.config["PAGE_CACHE"] = False
    visitor(app).get("/")
    response = visitor(app).get("/")
    assert cache_of(response) == "bypass" and response.headers["Cache-Control"] == "public, max-age=60"


# --- processes sharing one generation ------------------------------------------------------------------------------


def test_two_app_processes_on_one_machine_share_invalidation_through_the_generation_file(app, site, database_url,
                                                                                          tmp_path):
    from conftest import make_app

    other = make_app(database_url, tmp_path)  # another gunicorn worker: its own memory, the same instance folder
    with other.app_context():
        assert cache_of(other.test_client().get("/news/")) == "miss"
        assert cache_of(other.test_client().get("/news/")) == "hit"
        db.session.remove()

    make_news(title="另一个进程写的新闻")
    db.session.commit()  # written through this app

    with other.app_context():
        response = other.test_client().get("/news/")
        assert cache_of(response) == "miss" and "另一个进程写的新闻" in text(response)
        db.session.remove()
        db.engine.dispose()


# --- Redis: several servers share the entries and the generation -----------------------------------------------------

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_prefix():
    import uuid

    import redis
    from support import skip_or_fail

    connection = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        connection.close()
        skip_or_fail(f"Redis not reachable at {REDIS_TEST_URL} ({error}); Redis page cache test skipped")
    prefix = f"test-page-cache-{uuid.uuid4().hex}:"
    yield prefix
    for name in connection.scan_iter(match=f"{prefix}*"):
        connection.delete(name)
    connection.close()


def test_two_servers_share_pages_and_invalidation_through_redis(app, site, database_url, tmp_path, redis_prefix):
    from conftest import make_app

    # Each server has its own instance folder: only Redis is shared.
    settings = {"REDIS_URL": REDIS_TEST_URL, "PAGE_CACHE_REDIS_PREFIX": redis_prefix}
    first = make_app(database_url, tmp_path / "one", **settings)
    second = make_app(database_url, tmp_path / "two", **settings)
    assert first.extensions["page_cache"].store.kind == "redis"

    with first.app_context():
        assert cache_of(first.test_client().get("/news/")) == "miss"
        db.session.remove()
    with second.app_context():
        with counting_queries() as statements:
            shared = second.test_client().get("/news/")
        assert cache_of(shared) == "hit" and statements == []  # stored by the other server
        etag = shared.headers["ETag"]
        assert second.test_client().get("/news/", headers={"If-None-Match": etag}).status_code == 304

        make_news(title="第二台服务器发布的新闻")
        db.session.commit()  # a write on the second server
        db.session.remove()

    with first.app_context():
        response = first.test_client().get("/news/")
        assert cache_of(response) == "miss" and "第二台服务器发布的新闻" in text(response)
        assert cache_of(first.test_client().get("/news/")) == "hit"
        result = first.test_cli_runner().invoke(args=["cache", "clear"])
        assert result.exit_code == 0
        db.session.remove()
    with second.app_context():
        assert cache_of(second.test_client().get("/news/")) == "miss"
        db.session.remove()
    for server in (first, second):
        with server.app_context():
            db.engine.dispose()


def _kill_tracking_connection(server) -> None:
    """Cut the connection on which Redis tells this server that the generation changed."""
    import redis

    watch = server.extensions["page_cache"].store.watch
    host, port = watch._connection._sock.getsockname()[:2]
    admin = redis.Redis.from_url(REDIS_TEST_URL)
    killed = admin.client_kill_filter(addr=f"{host}:{port}")
    admin.close()
    assert killed == 1


def test_what_a_page_reads_of_its_address_is_shared_through_redis(app, site, database_url, tmp_path, redis_prefix):
    """A shared link's variant arriving at the other server is answered from the page the first one stored."""
    from conftest import make_app

    settings = {"REDIS_URL": REDIS_TEST_URL, "PAGE_CACHE_REDIS_PREFIX": redis_prefix}
    servers = [make_app(database_url, tmp_path / name, **settings) for name in ("one", "two")]
    path = f"/projects/{site.slug}"
    with servers[0].app_context():
        first = servers[0].test_client().get(path + "?from=singlemessage")
        assert cache_of(first) == "miss"
        db.session.remove()
    with servers[1].app_context():
        with counting_queries() as statements:
            shared = servers[1].test_client().get(path + "?from=groupmessage&isappinstalled=0")
        assert cache_of(shared) == "hit" and statements == [] and shared.get_data() == first.get_data()
        db.session.remove()
    for server in servers:
        with server.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("connection_lost", [False, True], ids=["tracked", "tracking-connection-lost"])
def test_a_server_holding_a_page_in_memory_shows_another_servers_write_at_once(
        app, site, database_url, tmp_path, redis_prefix, connection_lost):
    from conftest import make_app

    settings = {"REDIS_URL": REDIS_TEST_URL, "PAGE_CACHE_REDIS_PREFIX": redis_prefix}
    reader = make_app(database_url, tmp_path / "reader", **settings)
    writer = make_app(database_url, tmp_path / "writer", **settings)
    with reader.app_context():
        client = reader.test_client()
        assert cache_of(client.get("/news/")) == "miss"
        for _ in range(3):  # from this server's memory, the generation trusted while Redis says nothing
            assert cache_of(client.get("/news/")) == "hit"
        assert reader.extensions["page_cache"].store.watch.known() is not None
        if connection_lost:
            _kill_tracking_connection(reader)
        db.session.remove()
    with writer.app_context():
        make_news(title="另一台服务器刚发布的新闻")
        db.session.commit()
        db.session.remove()
    with reader.app_context():
        response = reader.test_client().get("/news/")
        assert cache_of(response) == "miss" and "另一台服务器刚发布的新闻" in text(response)
        assert cache_of(reader.test_client().get("/news/")) == "hit"
        db.session.remove()
    for server in (reader, writer):
        with server.app_context():
            db.engine.dispose()


def test_with_redis_unreachable_pages_are_rendered_and_writes_are_saved(app, site, database_url, tmp_path):
    from conftest import make_app

    server = make_app(database_url, tmp_path / "down", REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    with server.app_context():
        client = server.test_client()
        for _ in range(2):
            response = client.get("/news/")
            assert response.status_code == 200 and cache_of(response) == "bypass"
            assert "ETag" in response.headers, dict(response.headers)
            assert "Last-Modified" not in response.headers, dict(response.headers)
        make_news(title="Redis 不在时发布的新闻")
        db.session.commit()
        assert "Redis 不在时发布的新闻" in text(client.get("/news/"))
        db.session.remove()
        db.engine.dispose()
