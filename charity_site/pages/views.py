"""Standing content pages and their short aliases."""

from __future__ import annotations

from flask import Blueprint, render_template

from charity_site.pages.models import Page
from charity_site.web import lookup

bp = Blueprint("pages", __name__)


@bp.get("/pages/<slug>")
def page(slug: str):
    return render_template("pages/page.html", page=lookup.public_by_slug(Page, slug, "pages.page"))


def _alias(slug: str):
    def view():
        return page(slug)

    view.__name__ = slug
    return view


for _slug in ("about", "contact", "privacy", "charter"):
    bp.add_url_rule(f"/{_slug}", endpoint=_slug, view_func=_alias(_slug), methods=["GET"])
