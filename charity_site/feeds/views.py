"""Atom feeds of news and project progress, the sitemap and robots.txt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from charity_site.core.formatting import SITE_TZ
from charity_site.core.markdown import plain_text, render_markdown
from charity_site.core.models import utcnow
from charity_site.feeds import freshness
from charity_site.feeds import queries as syndication
from charity_site.news.models import NewsPost
from charity_site.projects.models import ProjectUpdate
from charity_site.web.templating import site_settings
from charity_site.web.urls import canonical_url

bp = Blueprint("feeds", __name__)

ATOM_MIMETYPE = "application/atom+xml"
SUMMARY_LENGTH = 200

# Characters that XML 1.0 forbids even when escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Site-relative addresses in rendered Markdown; a feed reader shows them away from the site.
_SITE_PATH = re.compile(r'(<(?:a|img)\b[^>]*?\s(?:href|src)=")(/(?!/)[^"]*)"')


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    link: str
    published: str
    updated: str
    author: str
    summary: str
    content: str
    category: str = ""


def xml_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_root() -> str:
    """scheme://host of the public site: SITE_URL when configured, else this request's host."""
    site_url = (current_app.config.get("SITE_URL") or "").rstrip("/")
    if site_url:
        parts = urlsplit(site_url)
        return f"{parts.scheme}://{parts.netloc}"
    return request.host_url.rstrip("/")


def absolute_links(html: str, root: str) -> str:
    return _SITE_PATH.sub(lambda match: f'{match.group(1)}{root}{match.group(2)}"', html)


def feed_content(markdown_text: str | None, root: str) -> str:
    # str(): a Markup value would reach the XML unescaped; this must be escaped exactly once.
    return xml_text(absolute_links(str(render_markdown(markdown_text)), root))


def tag_uri(authority: str, created_at: datetime, specific: str) -> str:
    """A tag: URI (RFC 4151) that stays the same when the item's title or slug changes."""
    return f"tag:{authority},{created_at.astimezone(UTC):%Y-%m-%d}:{specific}"


def news_entry(post: NewsPost, authority: str, root: str, org_name: str) -> FeedEntry:
    return FeedEntry(
        id=tag_uri(authority, post.created_at, f"news/{post.id}"),
        title=xml_text(post.title),
        link=canonical_url("news.detail", slug=post.slug),
        published=rfc3339(post.published_at),
        updated=rfc3339(max(post.published_at, post.updated_at or post.published_at)),
        author=xml_text(post.source or org_name),
        summary=xml_text(post.summary or plain_text(post.body_md, SUMMARY_LENGTH)),
        content=feed_content(post.body_md, root),
        category=xml_text(post.category),
    )


def update_published_at(update: ProjectUpdate) -> datetime:
    """An update is dated by its day: the start of that day in the site's time zone."""
    return datetime.combine(update.happened_on, time(), tzinfo=SITE_TZ)


def update_entry(update: ProjectUpdate, authority: str, root: str, org_name: str) -> FeedEntry:
    published = update_published_at(update)
    project = update.project
    return FeedEntry(
        id=tag_uri(authority, update.created_at, f"project-update/{update.id}"),
        title=xml_text(f"{project.title}：{update.title}"),
        link=canonical_url("projects.detail", slug=project.slug),
        published=rfc3339(published),
        updated=rfc3339(max(published, update.updated_at or published)),
        author=xml_text(org_name),
        summary=xml_text(plain_text(update.body_md, SUMMARY_LENGTH)),
        content=feed_content(update.body_md, root),
        category=xml_text(project.category),
    )


def atom_response(section: str, self_endpoint: str, alternate_endpoint: str, items, make_entry) -> Response:
    settings = site_settings()
    org_name = settings.org_name
    root = site_root()
    authority = urlsplit(root).hostname or "localhost"
    entries = [make_entry(item, authority, root, org_name) for item in items]
    # RFC 3339 strings in UTC sort as the moments they name.
    updated = max((entry.updated for entry in entries), default=None)
    if updated is None:
        updated = rfc3339(freshness.last_change_this_request() or utcnow())
    feed = {
        "id": canonical_url(self_endpoint),
        "title": xml_text(f"{org_name} - {section}"),
        "subtitle": xml_text(settings.tagline),
        "self_url": canonical_url(self_endpoint),
        "alternate_url": canonical_url(alternate_endpoint),
        "updated": updated,
        "author": xml_text(org_name),
    }
    body = render_template("feeds/atom.xml", feed=feed, entries=entries)
    return Response(body, mimetype=ATOM_MIMETYPE)


@bp.get("/feeds/news.atom")
def news():
    return atom_response(_("News"), "feeds.news", "news.index", syndication.feed_news(), news_entry)


@bp.get("/feeds/updates.atom")
def updates():
    return atom_response(_("Project progress"), "feeds.updates", "projects.index", syndication.feed_updates(),
                         update_entry)


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: str | None


def _lastmod(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).date().isoformat() if moment else None


def _newest(items) -> datetime | None:
    return max((item.changed_at for item in items), default=None)


@bp.get("/sitemap.xml")
def sitemap():
    pages = syndication.sitemap_pages()
    projects = syndication.sitemap_projects()
    news_items = syndication.sitemap_news()
    disclosures = syndication.sitemap_disclosures()
    urls = [
        SitemapUrl(canonical_url("public.home"), _lastmod(freshness.last_change_this_request())),
        SitemapUrl(canonical_url("projects.index"), _lastmod(_newest(projects))),
        SitemapUrl(canonical_url("news.index"), _lastmod(_newest(news_items))),
        SitemapUrl(canonical_url("disclosures.index"), _lastmod(_newest(disclosures))),
        SitemapUrl(canonical_url("flows.index"), _lastmod(freshness.last_change_this_request())),
    ]
    urls += [SitemapUrl(canonical_url("pages.page", slug=item.key), _lastmod(item.changed_at)) for item in pages]
    urls += [SitemapUrl(canonical_url("projects.detail", slug=item.key), _lastmod(item.changed_at))
             for item in projects]
    urls += [SitemapUrl(canonical_url("news.detail", slug=item.key), _lastmod(item.changed_at))
             for item in news_items]
    urls += [SitemapUrl(canonical_url("disclosures.detail", disclosure_id=item.key), _lastmod(item.changed_at))
             for item in disclosures]
    return Response(render_template("feeds/sitemap.xml", urls=urls), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /search",
        "Disallow: /font-size/",
        "",
        f"Sitemap: {canonical_url('feeds.sitemap')}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
