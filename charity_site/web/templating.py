"""Jinja filters, globals and the per-request context every page shares."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, g, request, url_for
from flask_babel import lazy_gettext as _l

from charity_site.core import formatting
from charity_site.core.labels import label_of
from charity_site.core.markdown import plain_text, render_page_markdown
from charity_site.web.access import staff_menu, user_can_open
from charity_site.web.fields import drawn_as_choices
from charity_site.web.query_reads import path_with_read_query, read_query_args
from charity_site.web.urls import canonical_url

FONT_SIZES = ("small", "medium", "large")
FONT_COOKIE = "font_size"

# The header navigation: (endpoint, label, url kwargs). Order is the site's order.
MAIN_NAV = (
    ("public.home", _l("Home"), {}),
    ("projects.index", _l("Charity projects"), {}),
    ("news.index", _l("News"), {}),
    ("disclosures.index", _l("Disclosures"), {}),
    ("donations.donate", _l("Donate"), {}),
    ("volunteers.index", _l("Volunteer"), {}),
    ("pages.about", _l("About us"), {}),
)

# The 信息公开 section: its pages share a second row of tabs, and the main menu's 信息公开 entry.
TRANSPARENCY_NAV = (
    ("disclosures.index", _l("Notices and reports")),
    ("ledger.index", _l("Income and expenditure")),
    ("funds.index", _l("Charity funds")),
    ("open_data.index", _l("Open data")),
)
TRANSPARENCY_SECTIONS = {endpoint.split(".")[0] for endpoint, _label in TRANSPARENCY_NAV}
# Blueprints whose pages sit under another blueprint's entry of the main menu (a volunteer's own records
# under 志愿服务).
NAV_SECTION_OF = {"volunteer_records": "volunteers"}


def current_font_size() -> str:
    return font_size_of(request.cookies)


def font_size_of(cookies) -> str:
    size = cookies.get(FONT_COOKIE, "medium")
    return size if size in FONT_SIZES else "medium"


def site_settings():
    """The SiteSettings row, read once a request (an empty one if none exists yet)."""
    if "site_settings" not in g:
        from charity_site.core.site_settings import SiteSettings
        from charity_site.extensions import db

        g.site_settings = db.session.get(SiteSettings, 1) or empty_site_settings()
    return g.site_settings


def empty_site_settings():
    """What pages show before the organisation has entered its particulars (or while they cannot be read)."""
    from charity_site.core.site_settings import SiteSettings

    return SiteSettings(org_name="慈善会")


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        yuan=formatting.format_yuan,
        wan=formatting.format_wan,
        amount=formatting.format_amount,
        date=formatting.format_date,
        isodate=formatting.format_iso_date,
        datetime=formatting.format_datetime,
        period=formatting.format_period,
        count=formatting.format_count,
        markdown=render_page_markdown,
        plaintext=plain_text,
        mask_name=formatting.mask_person_name,
        label=label_of,
    )
    app.jinja_env.globals.update(percent=formatting.percent, percent_text=formatting.percent_text, money_unit=formatting.money_unit, asset_url=_asset_url_factory(app),
                                 canonical_url=canonical_url, path_with_read_query=path_with_read_query,
                                 read_query_args=read_query_args)
    app.jinja_env.tests["choice_group"] = drawn_as_choices
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def shared_context():
        endpoint = request.endpoint or ""
        section = endpoint.split(".")[0]
        section = NAV_SECTION_OF.get(section, section)
        return {
            "current_user_can": user_can_open,
            "staff_nav": staff_menu() if request.blueprint and request.blueprint.startswith("admin") else (),
            "site": site_settings(),
            "main_nav": MAIN_NAV,
            "active_section": "disclosures" if section in TRANSPARENCY_SECTIONS else section,
            "transparency_nav": TRANSPARENCY_NAV if section in TRANSPARENCY_SECTIONS else (),
            "font_size": current_font_size(),
            "font_sizes": FONT_SIZES,
        }


def _asset_url_factory(app: Flask):
    """url_for('static') with a content-hash query, so static files can be cached for a year."""
    static_root = Path(app.static_folder)

    @lru_cache(maxsize=256)
    def fingerprint(filename: str) -> str:
        path = static_root / filename
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:
            return "missing"

    def asset_url(filename: str) -> str:
        version = fingerprint(filename) if not app.debug else fingerprint.__wrapped__(filename)
        return url_for("static", filename=filename, v=version)

    return asset_url
