"""Public news list and articles."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from charity_site.models import NewsPost
from charity_site.projects import queries as catalog
from charity_site.web.input import query_page

bp = Blueprint("news", __name__, url_prefix="/news")


@bp.get("/")
def index():
    categories = catalog.news_categories()
    category = request.args.get("category")
    category = category if category in categories else None
    pagination = catalog.news_page(query_page(), category)
    return render_template("news/index.html", pagination=pagination, posts=list(pagination.items),
                           categories=categories, category=category)


@bp.get("/<slug>")
def detail(slug: str):
    post: NewsPost = catalog.public_by_slug(NewsPost, slug, "news.detail")
    older, newer = catalog.news_neighbours(post)
    return render_template("news/detail.html", post=post, older=older, newer=newer)
