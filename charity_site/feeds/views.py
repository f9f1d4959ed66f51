"""Atom feeds of news and project progress, the sitemap and robots.txt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import escape

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


# sitemaps.org: at most 50,000 addresses a file. Smaller files keep each request short and cacheable.
SITEMAP_URLS_PER_FILE = 10_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The first file of the pages section starts with the home page, the lists and the money flows
# (None: their lastmod is the site's last change).
LIST_PAGES = (("public.home", None), ("projects.index", "projects"), ("news.index", "news"),
              ("disclosures.index", "disclosures"), ("flows.index", None))
ITEM_ENDPOINTS = {"pages": ("pages.page", "slug"), "projects": ("projects.detail", "slug"),
                  "news": ("news.detail", "slug"), "disclosures": ("disclosures.detail", "disclosure_id")}


def _urls_per_file() -> int:
    """SITEMAP_URLS_PER_FILE, or the setting of that name (tests split small lists)."""
    return max(current_app.config.get("SITEMAP_URLS_PER_FILE", SITEMAP_URLS_PER_FILE), len(LIST_PAGES) + 1)


def _lastmod(moment: datetime | None) -> str:
    return f"<lastmod>{moment.astimezone(UTC).date().isoformat()}</lastmod>" if moment else ""


def _file_count(section: str) -> int:
    extra = len(LIST_PAGES) if section == "pages" else 0
    return -(-(syndication.sitemap_count(section) + extra) // _urls_per_file())


@bp.get("/sitemap.xml")
def sitemap():
    """A sitemap index: the site's addresses are in /sitemap-<section>-<n>.xml files, each bounded."""
    locs = [canonical_url("feeds.sitemap_part", section=section, number=number)
            for section in syndication.SITEMAP_SECTIONS for number in range(1, _file_count(section) + 1)]
    body = "".join([f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n',
                    *(f"  <sitemap><loc>{escape(loc)}</loc></sitemap>\n" for loc in locs), "</sitemapindex>\n"])
    return Response(body, mimetype="application/xml")


@bp.get(f"/sitemap-<any({', '.join(syndication.SITEMAP_SECTIONS)}):section>-<int:number>.xml")
def sitemap_part(section: str, number: int):
    """One file of a section's addresses, at most SITEMAP_URLS_PER_FILE, read from the database in order."""
    per_file = _urls_per_file()
    offset, limit, urls = (number - 1) * per_file, per_file, []
    if section == "pages":
        if number == 1:
            urls = [(canonical_url(endpoint), freshness.last_change_this_request() if list_of is None
                     else syndication.latest_change(list_of)) for endpoint, list_of in LIST_PAGES]
            limit -= len(LIST_PAGES)
        else:
            offset -= len(LIST_PAGES)
    items = syndication.sitemap_items(section, offset, limit)
    if number > 1 and not items:
        abort(404)
    urls += _item_urls(section, items)
    body = "".join([f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n',
                    *(f"  <url><loc>{escape(loc)}</loc>{_lastmod(changed)}</url>\n" for loc, changed in urls),
                    "</urlset>\n"])
    return Response(body, mimetype="application/xml")


def _item_urls(section: str, items) -> list[tuple[str, datetime | None]]:
    """(address, last change) of each item. url_for once, then the key put in its place: the same
    address url_for would build (keys are slugs or ids, quoted as url_for quotes them)."""
    endpoint, argument = ITEM_ENDPOINTS[section]
    placeholder = "0" if argument == "disclosure_id" else "__key__"
    prefix, _placeholder, suffix = canonical_url(endpoint, **{argument: placeholder}).rpartition(placeholder)
    return [(f"{prefix}{quote(str(item.key), safe='')}{suffix}", item.changed_at) for item in items]


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
