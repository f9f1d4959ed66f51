"""Public news list and articles."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from charity_site.files import queries as files_queries
from charity_site.news import queries as news_queries
from charity_site.news.models import NewsPost
from charity_site.web import lookup
from charity_site.web.input import query_page

bp = Blueprint("news", __name__, url_prefix="/news")


@bp.get("/")
def index():
    categories = news_queries.news_categories()
    category = request.args.get("category")
    category = category if category in categories else None
    pagination = news_queries.news_page(query_page(), category)
    posts = list(pagination.items)
    return render_template("news/index.html", pagination=pagination, posts=posts, covers=files_queries.covers(posts),
                           categories=categories, category=category)


@bp.get("/<slug>")
def detail(slug: str):
    post: NewsPost = lookup.public_by_slug(NewsPost, slug, "news.detail")
    older, newer = news_queries.news_neighbours(post)
    return render_template("news/detail.html", post=post, older=older, newer=newer)
