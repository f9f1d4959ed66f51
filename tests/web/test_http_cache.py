"""HTTP caching: ETag and Last-Modified with 304 answers, Cache-Control for visitors and staff, static files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factories import login, make_entry, make_fund, make_news, make_page, make_project, make_site_settings, make_user
from flask import url_for
from sqlalchemy import event
from werkzeug.http import http_date, parse_date

from charity_site.extensions import db
from charity_site.feeds.freshness import last_change
from charity_site.models import (
    Disclosure,
    DisclosureKind,
    DisclosureStatus,
    ProjectUpdate,
    PublicationStatus,
    SiteSettings,
    utcnow,
)

PUBLIC_PATHS = ("/", "/projects/", "/news/", "/disclosures/", "/feeds/news.atom", "/feeds/updates.atom",
                "/sitemap.xml", "/robots.txt")


@pytest.fixture
def news(app):
    make_site_settings()
    post = make_news(title="第一条新闻")
    make_project()
    db.session.commit()
    return post


# --- ETag and If-None-Match ------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_repeated_request_with_the_etag_gets_304_without_a_body(client, news, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert first.headers["Last-Modified"]

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=60"
    assert "Content-Type" not in again.headers


def test_head_requests_get_the_same_validators(client, news):
    get = client.get("/news/")
    head = client.head("/news/")
    assert head.status_code == 200
    assert head.headers["ETag"] == get.headers["ETag"]
    assert client.head("/news/", headers={"If-None-Match": get.headers["ETag"]}).status_code == 304


def test_the_etag_changes_when_the_content_changes(client, news):
    before = client.get("/news/").headers["ETag"]
    assert client.get("/news/").headers["ETag"] == before  # the same body, the same tag

    news.title = "改过标题的新闻"
    db.session.commit()

    after = client.get("/news/")
    assert after.headers["ETag"] != before
    assert "改过标题的新闻" in after.get_data(as_text=True)
    stale = client.get("/news/", headers={"If-None-Match": before})
    assert stale.status_code == 200
    assert "改过标题的新闻" in stale.get_data(as_text=True)
    feed = client.get("/feeds/news.atom", headers={"If-None-Match": before})
    assert feed.status_code == 200


def test_any_of_several_etags_and_the_star_match(client, news):
    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get("/", headers={"If-None-Match": f"W/{etag}"}).status_code == 304  # weak comparison
    assert client.get("/", headers={"If-None-Match": "*"}).status_code == 304


# --- Last-Modified and If-Modified-Since --------------------------------------------------------------


def test_if_modified_since_the_last_modified_value_gets_304_until_something_changes(client, news):
    first = client.get("/news/")
    last_modified = first.headers["Last-Modified"]
    assert parse_date(last_modified) <= utcnow()

    again = client.get("/news/", headers={"If-Modified-Since": last_modified})
    assert again.status_code == 304
    assert again.get_data() == b""

    news.title = "后来改过的新闻"
    db.session.commit()  # within the same second, too: each change gets a later Last-Modified

    changed = client.get("/news/", headers={"If-Modified-Since": last_modified})
    assert changed.status_code == 200
    assert "后来改过的新闻" in changed.get_data(as_text=True)
    assert parse_date(changed.headers["Last-Modified"]) > parse_date(last_modified)


def test_the_etag_takes_precedence_over_if_modified_since(client, news):
    first = client.get("/news/")
    headers = {"If-Modified-Since": first.headers["Last-Modified"], "If-None-Match": '"some-other-version"'}
    assert client.get("/news/", headers=headers).status_code == 200
    old_date = http_date(datetime(2000, 1, 1, tzinfo=UTC))
    headers = {"If-Modified-Since": old_date, "If-None-Match": first.headers["ETag"]}
    assert client.get("/news/", headers=headers).status_code == 304


def test_a_change_to_any_public_record_moves_last_modified(client, news):
    stamp = parse_date(client.get("/").headers["Last-Modified"])
    fund = make_fund()
    make_entry(fund, 10_000)
    db.session.commit()
    assert parse_date(client.get("/").headers["Last-Modified"]) > stamp


# --- Cache-Control ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_anonymous_visitors_get_public_short_lived_pages(client, news, path):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response.headers["Vary"]


def test_a_signed_in_staff_member_gets_private_no_store_pages_and_never_a_304(client, news):
    etag = client.get("/").headers["ETag"]
    user = make_user(roles=("editor",))
    assert login(client, user.email).status_code == 302

    for path in (*PUBLIC_PATHS, f"/news/{news.slug}", "/admin/"):
        response = client.get(path, headers={"If-None-Match": etag, "If-Modified-Since": http_date(utcnow())})
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "Cookie" in response.headers["Vary"], path
    staff_home = client.get("/", headers={"If-None-Match": etag})
    assert "ETag" not in staff_home.headers and "Last-Modified" not in staff_home.headers


def test_the_sign_in_page_is_never_stored(client, app):
    assert client.get("/admin/login").headers["Cache-Control"] == "private, no-store"


def test_a_response_that_sets_a_cookie_is_not_public(client, news):
    response = client.get("/font-size/large?next=/news/")
    assert response.status_code == 302
    assert "font_size=large" in response.headers["Set-Cookie"]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_page_that_writes_the_session_is_not_public(app, client, news):
    @app.get("/_test/flash")
    def flashing():
        from flask import flash, render_template_string

        flash("一条提示")
        return render_template_string("{{ get_flashed_messages() }}")

    response = client.get("/_test/flash")
    assert "Set-Cookie" in response.headers
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_errors_and_posts_get_no_validators(client, news):
    missing = client.get("/news/no-such-post")
    assert missing.status_code == 404
    assert "ETag" not in missing.headers
    assert "public" not in missing.headers.get("Cache-Control", "")


def test_a_view_that_chooses_its_own_cache_control_keeps_it(client, news):
    from charity_site.models import Project

    project = db.session.scalars(db.select(Project)).first()
    response = client.get(f"/projects/{project.slug}/qr.png")
    assert response.headers["Cache-Control"] == "public, max-age=86400"


# --- static files ---------------------------------------------------------------------------------------


def test_fingerprinted_static_files_are_immutable_for_a_year(app, client):
    with app.test_request_context():
        url = app.jinja_env.globals["asset_url"]("css/site.css")
        plain = url_for("static", filename="css/site.css")
    assert "?v=" in url

    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"

    unversioned = client.get(plain)
    assert unversioned.status_code == 200
    assert unversioned.headers["Cache-Control"] == "public, max-age=300"

    # A fingerprint that is not this file's (another host mid-deploy) must not be kept for a year.
    assert client.get(f"{plain}?v=000000000000").headers["Cache-Control"] == "public, max-age=300"
    for opened in (response, unversioned):
        opened.close()


def test_the_fingerprint_seen_on_a_page_gives_the_immutable_header(client, news):
    body = client.get("/").get_data(as_text=True)
    start = body.index("/static/css/site.css?v=")
    url = body[start:body.index('"', start)]
    response = client.get(url)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()


# --- freshness: what Last-Modified is made of --------------------------------------------------------


def count_queries(function):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(statements)


def test_last_change_is_none_on_an_empty_site(app):
    assert last_change() is None


def test_last_change_is_one_query_over_every_public_table(app):
    base = datetime(2024, 1, 1, tzinfo=UTC)
    fund = make_fund(published_at=base)
    project = make_project(published_at=base)
    records = {
        "page": make_page(published_at=base),
        "news": make_news(published_at=base),
        "project": project,
        "fund": fund,
        "update": ProjectUpdate(project_id=project.id, slug="u", title="进展", happened_on=date(2024, 1, 1)),
        "disclosure": Disclosure(slug="d", kind=DisclosureKind.FUND_USE, title="公示",
                                 status=DisclosureStatus.PUBLISHED, published_at=base),
        "entry": make_entry(fund, 100),
        "settings": SiteSettings(id=1, org_name="测试慈善会"),
    }
    db.session.add_all(records.values())
    db.session.flush()
    for record in records.values():
        record.updated_at = base
    db.session.commit()

    value, queries = count_queries(last_change)
    assert value == base
    assert queries == 1

    for number, record in enumerate(records.values(), start=1):
        moment = base + timedelta(days=number)
        record.updated_at = moment
        db.session.commit()
        assert last_change() == moment, type(record).__name__


def test_a_scheduled_item_moves_last_change_when_its_time_comes(app):
    base = datetime(2024, 1, 1, tzinfo=UTC)
    post = make_news(published_at=base)
    post.updated_at = base
    scheduled = make_news(status=PublicationStatus.SCHEDULED, published_at=base + timedelta(days=10))
    scheduled.updated_at = base
    db.session.commit()

    assert last_change(now=base + timedelta(days=9)) == base
    assert last_change(now=base + timedelta(days=11)) == base + timedelta(days=10)
