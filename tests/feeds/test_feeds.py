"""Atom feeds, the sitemap and robots.txt, as feed readers and search engines read them."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from factories import make_news, make_page, make_project, make_site_settings
from sqlalchemy import select

from charity_site.core.formatting import SITE_TZ
from charity_site.extensions import db
from charity_site.models import (
    Disclosure,
    DisclosureKind,
    DisclosureStatus,
    NewsPost,
    Page,
    Project,
    ProjectUpdate,
    PublicationStatus,
    utcnow,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOSTILE = "<script>alert(\"x\")</script> & 'quotes' \"double\" ]]> &amp;"


def make_update(project, **fields) -> ProjectUpdate:
    update = ProjectUpdate(**{"project_id": project.id, "slug": f"u-{project.id}-{fields.get('title', '')}",
                              "title": "进展", "body_md": "本月开展活动。", "happened_on": date(2024, 5, 1), **fields})
    db.session.add(update)
    db.session.flush()
    return update


def make_disclosure(**fields) -> Disclosure:
    if "project_id" in fields:  # the projects it covers (disclosure_projects)
        project_id = fields.pop("project_id")
        fields["projects"] = [db.session.get(Project, project_id)] if project_id else []
    number = db.session.scalar(select(db.func.count()).select_from(Disclosure)) + 1
    disclosure = Disclosure(**{
        "slug": f"disclosure-{number}", "kind": DisclosureKind.FUND_USE, "title": f"测试公示{number}",
        "status": DisclosureStatus.PUBLISHED, "published_at": utcnow() - timedelta(days=1), **fields,
    })
    db.session.add(disclosure)
    db.session.flush()
    return disclosure


def parse(client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def as_utc(parsed) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def site(app):
    make_site_settings(org_name="测试慈善会", tagline="公开每一笔善款")
    db.session.commit()


# --- news feed ---------------------------------------------------------------------------------------


def test_the_news_feed_lists_public_posts_newest_first_with_absolute_links_and_dates(client, site):
    now = utcnow().replace(microsecond=0)
    older = make_news(title="较早的新闻", published_at=now - timedelta(days=3), source="区民政局",
                      summary="一段摘要", body_md="正文 **加粗**\n\n![活动照片](/uploads/" + "a" * 32 + ".jpg)")
    newer = make_news(title="最新的新闻", published_at=now - timedelta(hours=2), category="通知公告")
    make_news(title="草稿", status=PublicationStatus.DRAFT, published_at=None)
    make_news(title="定时未到", status=PublicationStatus.SCHEDULED, published_at=now + timedelta(days=1))
    make_news(title="发布时间在将来", published_at=now + timedelta(hours=1))
    make_news(title="定时已到", status=PublicationStatus.SCHEDULED, published_at=now - timedelta(days=5))
    db.session.commit()

    _, feed = parse(client, "/feeds/news.atom")

    assert feed.feed.title == "测试慈善会 - 新闻动态"
    assert feed.feed.id == "http://localhost/feeds/news.atom"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": "http://localhost/feeds/news.atom", "alternate": "http://localhost/news/"}
    assert [entry.title for entry in feed.entries] == ["最新的新闻", "较早的新闻", "定时已到"]
    assert as_utc(feed.feed.updated_parsed) == max(as_utc(entry.updated_parsed) for entry in feed.entries)

    first, second = feed.entries[0], feed.entries[1]
    assert first.link == f"http://localhost/news/{newer.slug}"
    assert as_utc(first.published_parsed) == newer.published_at.replace(microsecond=0)
    assert as_utc(first.updated_parsed) >= as_utc(first.published_parsed)
    assert first.tags[0].term == "通知公告"
    assert first.author == "测试慈善会"  # no source: the organisation
    assert re.fullmatch(r"tag:localhost,\d{4}-\d{2}-\d{2}:news/\d+", first.id)
    assert len({entry.id for entry in feed.entries}) == 3

    assert second.author == "区民政局"
    assert second.summary == "一段摘要"
    content = second.content[0]
    assert content.type == "text/html"
    assert "<strong>加粗</strong>" in content.value
    assert f'src="http://localhost/uploads/{"a" * 32}.jpg"' in content.value
    assert as_utc(second.published_parsed) == older.published_at

    for entry in feed.entries:
        assert entry.link.startswith("http://localhost/")
        assert client.get(local_path(entry.link)).status_code == 200


def test_feed_dates_are_rfc3339_in_utc(client, site):
    make_news(published_at=datetime(2024, 3, 1, 8, 30, 15, 123456, tzinfo=UTC))
    db.session.commit()
    root = ElementTree.fromstring(client.get("/feeds/news.atom").get_data())
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}published") == "2024-03-01T08:30:15Z"
    for text in [root.findtext(f"{ATOM}updated"), entry.findtext(f"{ATOM}updated")]:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", text)


def test_the_news_feed_keeps_the_latest_thirty(client, site):
    now = utcnow()
    for number in range(35):
        make_news(title=f"新闻{number:02d}", published_at=now - timedelta(hours=number + 1))
    db.session.commit()
    _, feed = parse(client, "/feeds/news.atom")
    assert [entry.title for entry in feed.entries] == [f"新闻{number:02d}" for number in range(30)]


def test_hostile_text_is_escaped_and_the_feed_still_parses(client, site):
    make_news(title=HOSTILE, source=HOSTILE, summary=HOSTILE, category="<b>",
              body_md="<script>alert(1)</script>\n\n正文 & <em>强调</em>\x0b")
    project = make_project(title=HOSTILE)
    make_update(project, title="A & B <i>")
    db.session.commit()

    response, feed = parse(client, "/feeds/news.atom")
    assert "<script>" not in response.get_data(as_text=True)
    root = ElementTree.fromstring(response.get_data())
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == HOSTILE
    assert entry.findtext(f"{ATOM}summary") == HOSTILE
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == HOSTILE
    assert entry.find(f"{ATOM}category").get("term") == "<b>"
    html = entry.findtext(f"{ATOM}content")
    assert "<script" not in html and "<em>强调</em>" in html and "&amp;" in html
    assert feed.entries[0].title == HOSTILE

    response, feed = parse(client, "/feeds/updates.atom")
    root = ElementTree.fromstring(response.get_data())
    assert root.find(f"{ATOM}entry").findtext(f"{ATOM}title") == f"{HOSTILE}：A & B <i>"


def test_an_organisation_name_with_markup_is_escaped_in_the_feed_title(client, app):
    make_site_settings(org_name="A&B <慈善会>")
    make_news()
    db.session.commit()
    _, feed = parse(client, "/feeds/news.atom")
    assert feed.feed.title == "A&B <慈善会> - 新闻动态"


def test_links_use_site_url_when_it_is_configured(app, client, site):
    app.config["SITE_URL"] = "https://cishan.example.org/"
    post = make_news(body_md="[项目](/projects/) ![图](/uploads/" + "b" * 32 + ".png)")
    project = make_project()
    make_update(project)
    db.session.commit()

    _, news = parse(client, "/feeds/news.atom")
    assert news.entries[0].link == f"https://cishan.example.org/news/{post.slug}"
    assert news.entries[0].id.startswith("tag:cishan.example.org,")
    assert 'href="https://cishan.example.org/projects/"' in news.entries[0].content[0].value
    assert f'src="https://cishan.example.org/uploads/{"b" * 32}.png"' in news.entries[0].content[0].value
    assert {link.href for link in news.feed.links} == {
        "https://cishan.example.org/feeds/news.atom", "https://cishan.example.org/news/"}

    _, updates = parse(client, "/feeds/updates.atom")
    assert updates.entries[0].link == f"https://cishan.example.org/projects/{project.slug}"


def test_an_empty_feed_is_still_valid_atom(client, site):
    _, feed = parse(client, "/feeds/news.atom")
    assert feed.entries == []
    assert feed.feed.updated_parsed is not None


# --- progress updates feed -------------------------------------------------------------------------


def test_the_updates_feed_lists_published_updates_of_public_projects_only(client, site):
    now = utcnow()
    school = make_project(title="乡村助学", category="助学支教")
    elders = make_project(title="长者助餐")
    draft = make_project(title="草稿项目", status=PublicationStatus.DRAFT, published_at=None)
    future = make_project(title="将来的项目", published_at=now + timedelta(days=2))
    make_update(school, title="开学典礼", happened_on=date(2024, 9, 1), body_md="共有 **30** 名学生。")
    make_update(elders, title="助餐点开业", happened_on=date(2024, 10, 8))
    make_update(school, title="期末考试", happened_on=date(2025, 1, 10))
    make_update(school, title="隐藏的进展", happened_on=date(2025, 2, 1), published=False)
    make_update(draft, title="草稿项目的进展", happened_on=date(2025, 3, 1))
    make_update(future, title="将来项目的进展", happened_on=date(2025, 3, 1))
    db.session.commit()

    _, feed = parse(client, "/feeds/updates.atom")

    assert feed.feed.title == "测试慈善会 - 项目进展"
    assert {link.rel: link.href for link in feed.feed.links} == {
        "self": "http://localhost/feeds/updates.atom", "alternate": "http://localhost/projects/"}
    assert [entry.title for entry in feed.entries] == ["乡村助学：期末考试", "长者助餐：助餐点开业", "乡村助学：开学典礼"]
    last = feed.entries[2]
    assert last.link == f"http://localhost/projects/{school.slug}"
    assert last.author == "测试慈善会"
    assert last.tags[0].term == "助学支教"
    assert last.summary == "共有 30 名学生。"
    assert "<strong>30</strong>" in last.content[0].value
    # An update is dated by its day in China time.
    assert as_utc(last.published_parsed) == datetime.combine(date(2024, 9, 1), time(), tzinfo=SITE_TZ)
    assert re.fullmatch(r"tag:localhost,\d{4}-\d{2}-\d{2}:project-update/\d+", last.id)
    for entry in feed.entries:
        assert client.get(local_path(entry.link)).status_code == 200


def test_pages_announce_both_feeds(client, site):
    body = client.get("/").get_data(as_text=True)
    assert 'type="application/atom+xml"' in body
    assert 'href="/feeds/news.atom"' in body and 'href="/feeds/updates.atom"' in body


# --- sitemap and robots.txt -------------------------------------------------------------------------


def expected_sitemap_urls() -> set[str]:
    """Every public item's address, computed from the database."""
    base = "http://localhost"
    urls = {f"{base}/", f"{base}/projects/", f"{base}/news/", f"{base}/disclosures/", f"{base}/flows/"}
    urls |= {f"{base}/pages/{slug}" for slug in db.session.scalars(select(Page.slug).where(Page.public_clause()))}
    urls |= {f"{base}/projects/{slug}"
             for slug in db.session.scalars(select(Project.slug).where(Project.public_clause()))}
    urls |= {f"{base}/news/{slug}"
             for slug in db.session.scalars(select(NewsPost.slug).where(NewsPost.public_clause()))}
    urls |= {f"{base}/disclosures/{id_}"
             for id_ in db.session.scalars(select(Disclosure.id).where(Disclosure.public_clause()))}
    return urls


def sitemap_files(client) -> list[str]:
    """The files /sitemap.xml (a sitemap index) names, as local paths."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == f"{SITEMAP}sitemapindex"
    return [local_path(loc) for loc in (entry.findtext(f"{SITEMAP}loc") for entry in root.findall(f"{SITEMAP}sitemap"))]


def sitemap_entries(client, max_per_file: int = 50_000) -> dict[str, str]:
    """Every address of every file of the sitemap, with its lastmod; each address listed once."""
    entries = {}
    for path in sitemap_files(client):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
        root = ElementTree.fromstring(response.get_data())
        assert root.tag == f"{SITEMAP}urlset"
        urls = root.findall(f"{SITEMAP}url")
        assert 0 < len(urls) <= max_per_file, path
        for url in urls:
            loc = url.findtext(f"{SITEMAP}loc")
            assert loc not in entries, f"listed twice: {loc}"
            entries[loc] = url.findtext(f"{SITEMAP}lastmod")
    return entries


def test_the_sitemap_lists_exactly_the_public_items(client, demo):
    now = utcnow()
    make_page(title="草稿页", status=PublicationStatus.DRAFT, published_at=None)
    make_page(title="将来的页面", status=PublicationStatus.SCHEDULED, published_at=now + timedelta(days=1))
    make_project(title="草稿项目", status=PublicationStatus.DRAFT, published_at=None)
    make_news(title="将来的新闻", published_at=now + timedelta(hours=3))
    make_disclosure(title="草稿公示", status=DisclosureStatus.DRAFT, published_at=None)
    make_disclosure(title="将来的公示", published_at=now + timedelta(days=1))
    withdrawn = make_disclosure(title="已撤回的公示", status=DisclosureStatus.WITHDRAWN, withdrawn_reason="重复发布")
    db.session.commit()

    entries = sitemap_entries(client)

    expected = expected_sitemap_urls()
    assert set(entries) == expected
    assert f"http://localhost/disclosures/{withdrawn.id}" in expected  # withdrawn stays visible with its reason
    assert len(expected) > 20
    for loc, lastmod in entries.items():
        assert date.fromisoformat(lastmod) <= now.date() + timedelta(days=1), loc
        assert client.get(local_path(loc)).status_code == 200, loc


def test_sitemap_lastmod_follows_the_latest_change(client, site):
    project = make_project(published_at=datetime(2024, 1, 2, 3, 0, tzinfo=UTC))
    project.updated_at = datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
    news = make_news(published_at=datetime(2024, 6, 1, 12, 0, tzinfo=UTC))
    news.updated_at = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)  # written before it was scheduled to go live
    db.session.commit()
    update = make_update(project, happened_on=date(2024, 3, 1))
    update.updated_at = datetime(2024, 3, 2, 10, 0, tzinfo=UTC)
    db.session.commit()

    entries = sitemap_entries(client)
    assert entries[f"http://localhost/projects/{project.slug}"] == "2024-03-02"
    assert entries[f"http://localhost/news/{news.slug}"] == "2024-06-01"
    assert entries["http://localhost/news/"] == "2024-06-01"


def test_a_large_site_is_split_into_sitemap_files_that_together_list_every_public_page_once(app, client, demo):
    """Over 50,000 addresses a sitemap must be an index of files; a small limit here shows the split."""
    app.config["SITEMAP_URLS_PER_FILE"] = 6
    for number in range(14):
        make_project(title=f"很多项目{number}", start_date=None if number % 4 == 0 else date(2024, 1, 1 + number))
    db.session.commit()

    files = sitemap_files(client)
    entries = sitemap_entries(client, max_per_file=6)

    assert set(entries) == expected_sitemap_urls()
    assert len(files) > 5 and len(files) == len(set(files))
    project_files = [path for path in files if path.startswith("/sitemap-projects-")]
    assert project_files == [f"/sitemap-projects-{number}.xml" for number in range(1, len(project_files) + 1)]
    assert client.get(f"/sitemap-projects-{len(project_files) + 1}.xml").status_code == 404
    assert client.get("/sitemap-funds-1.xml").status_code == 404


def test_robots_txt_allows_all_but_the_staff_area_and_search_and_names_the_sitemap(app, client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines and "Disallow: /search" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines

    app.config["SITE_URL"] = "https://cishan.example.org"
    app.extensions["page_cache"].clear()  # a new SITE_URL comes with a restart (or `flask cache clear`)
    assert "Sitemap: https://cishan.example.org/sitemap.xml" in client.get("/robots.txt").get_data(as_text=True)
