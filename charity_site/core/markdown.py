"""Markdown to safe HTML: one code path for public pages and staff previews.

Pure: no queries, so a text's HTML is computed once and kept (``RENDERED_TEXTS`` most recent texts,
keyed by the text itself): a page that shows a body, its description and its feed entry, or a crowd
reading one project, does not run Markdown and the sanitiser again. What pages add from the database (the size of uploaded images) is a step that the
files domain registers on the app (``add_page_markdown_step``), so core/ imports no domain.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlparse

import markdown as markdown_lib
import nh3
from flask import Flask, current_app
from markupsafe import Markup

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd",
    "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark", "small",
    "code", "pre", "kbd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "a", "img", "figure", "figcaption", "abbr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
}
LINK_SCHEMES = {"http", "https", "mailto"}
RENDERED_TEXTS = 1024


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images only from this site: a path, never another host or a data: URL.

    Browsers read a backslash as a slash, so '/\\host/x.png' would be '//host/x.png'.
    """
    if tag == "img" and attribute == "src":
        parsed = urlparse(value)
        if parsed.scheme or parsed.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
            return None
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """Render staff Markdown (tables included) and sanitise the result."""
    if not text:
        return Markup("")
    return Markup(_sanitised_html(text))


@lru_cache(maxsize=RENDERED_TEXTS)
def _sanitised_html(text: str) -> str:
    rendered = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    # Shift headings down one level: the page title is the only h1.
    rendered = rendered.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitize_html(rendered)


def plain_text(text: str | None, limit: int | None = None) -> str:
    """Markdown reduced to its visible words, for descriptions and snippets."""
    if not text:
        return ""
    return _shortened(_visible_words(text), limit)


@lru_cache(maxsize=RENDERED_TEXTS)
def _visible_words(text: str) -> str:
    words = html.unescape(nh3.clean(markdown_lib.markdown(text, extensions=["tables"]), tags=set()))
    return " ".join(words.split())


def _shortened(words: str, limit: int | None) -> str:
    if limit and len(words) > limit:
        return words[: limit - 1].rstrip() + "…"
    return words


PAGE_MARKDOWN_STEPS = "charity_site.page_markdown_steps"


def add_page_markdown_step(app: Flask, step: Callable[[str], str]) -> None:
    """Run ``step`` on the sanitised HTML of every page's Markdown. A step may only add attributes made
    of numbers and constants to tags the sanitiser let through (see tests/test_trusted_markup.py)."""
    steps = app.extensions.setdefault(PAGE_MARKDOWN_STEPS, [])
    if step not in steps:
        steps.append(step)


def render_page_markdown(text: str | None) -> Markup:
    """What pages and previews show: sanitised Markdown, then the app's steps (uploaded images get their size)."""
    page_html = str(render_markdown(text))
    for step in current_app.extensions.get(PAGE_MARKDOWN_STEPS, ()):
        page_html = step(page_html)
    return Markup(page_html)
