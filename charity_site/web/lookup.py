"""Finding the public item a URL names."""

from __future__ import annotations

from flask import abort, redirect, url_for
from sqlalchemy import bindparam, select

from charity_site.core import slugs
from charity_site.core.statements import built_once
from charity_site.extensions import db

REDIRECT_KINDS = {"Page": "page", "NewsPost": "news", "Project": "project", "Fund": "fund"}


@built_once
def _by_slug_statement(model):
    return select(model).where(model.slug == bindparam("slug"), model.public_clause()).limit(1)


def public_by_slug(model, slug: str, endpoint: str, **url_values):
    """The public item with ``slug``; an old slug of a renamed item answers 301 to its new address."""
    item = db.session.scalars(_by_slug_statement(model), {"slug": slug}).first()
    if item is not None:
        return item
    target_id = slugs.redirect_target(REDIRECT_KINDS[model.__name__], slug)
    if target_id is not None:
        target = db.session.scalars(select(model).where(model.id == target_id, model.public_clause())).first()
        if target is not None:
            abort(redirect(url_for(endpoint, slug=target.slug, **url_values), code=301))
    abort(404)
