"""Running a search: one page of public hits, on SQLite FTS5 or PostgreSQL full-text search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import bindparam, column, func, literal_column, select, table, text

from charity_site.core.models import utcnow
from charity_site.extensions import db
from charity_site.pages.models import Page
from charity_site.projects.models import Project
from charity_site.search.index import uses_fts5
from charity_site.search.models import SQLITE_FTS_TABLE, SearchEntry
from charity_site.search.snippets import highlight, make_snippet
from charity_site.search.tokens import ParsedQuery, fts5_expression, tsquery_expression

PER_PAGE = 10


KIND_LABELS = {
    "project": _l("Project"),
    "news": _l("News article"),
    "page": _l("Page"),
    "disclosure": _l("Public disclosure"),
}


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: int
    slug: str
    title: str
    published_at: datetime | None
    title_html: Markup
    snippet_html: Markup
    # The item's own date, shown instead of the time it was indexed or loaded: a project's period, a
    # page's last revision (news and disclosures: their publication).
    period: tuple[date | None, date | None] | None = None
    revised: date | datetime | None = None
    own_date_known: bool = True

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def url(self) -> str:
        if self.kind == "disclosure":
            return url_for("disclosures.detail", disclosure_id=self.object_id)
        endpoint = {"project": "projects.detail", "news": "news.detail", "page": "pages.page"}[self.kind]
        return url_for(endpoint, slug=self.slug)


_RESULT_COLUMNS = (
    SearchEntry.id, SearchEntry.kind, SearchEntry.object_id, SearchEntry.slug, SearchEntry.title,
    SearchEntry.snippet_text, SearchEntry.published_at,
)


def _visible(now: datetime):
    return SearchEntry.is_public.is_(True) & SearchEntry.published_at.is_not(None) & (SearchEntry.published_at <= now)


def _sqlite_statements(query: ParsedQuery, now: datetime):
    fts = table(SQLITE_FTS_TABLE, column("rowid"))
    matches = text(f"{SQLITE_FTS_TABLE} MATCH :match").bindparams(match=fts5_expression(query))
    base = select(*_RESULT_COLUMNS).select_from(fts).join(SearchEntry, SearchEntry.id == fts.c.rowid)
    base = base.where(matches, _visible(now))
    title_hits = text(f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH :title_match")
    title_hits = title_hits.bindparams(title_match=fts5_expression(query, "title_tokens")).columns(column("rowid"))
    ordered = base.order_by(
        fts.c.rowid.in_(title_hits).desc(),
        text(f"bm25({SQLITE_FTS_TABLE}, 10.0, 1.0)"),
        SearchEntry.published_at.desc(),
        SearchEntry.id.desc(),
    )
    return ordered, base


def _postgres_statements(query: ParsedQuery, now: datetime):
    vector = literal_column(f"{SearchEntry.__tablename__}.search_vector")
    config = literal_column("'simple'::regconfig")
    matches = func.to_tsquery(config, bindparam("match", tsquery_expression(query)))
    title_matches = func.to_tsquery(config, bindparam("title_match", tsquery_expression(query, "A")))
    base = select(*_RESULT_COLUMNS).where(vector.op("@@")(matches), _visible(now))
    ordered = base.order_by(
        vector.op("@@")(title_matches).desc(),
        func.ts_rank(vector, matches).desc(),
        SearchEntry.published_at.desc(),
        SearchEntry.id.desc(),
    )
    return ordered, base


def _project_periods(ids: list[int]) -> dict[int, tuple]:
    """{project id: (start, end)} of the projects on one page of results, in one query (none: none)."""
    if not ids:
        return {}
    rows = db.session.execute(select(Project.id, Project.start_date, Project.end_date).where(Project.id.in_(ids)))
    return {row.id: (row.start_date, row.end_date) for row in rows}


def _page_revisions(ids: list[int]) -> dict[int, object]:
    """{page id: its last revision date (Page.last_revised)} for the pages on one page of results."""
    if not ids:
        return {}
    return {page.id: page.last_revised for page in db.session.scalars(select(Page).where(Page.id.in_(ids)))}


class SearchPagination(Pagination):
    """Flask-SQLAlchemy's pagination over the search statements: 404 past the last page."""

    def _query_items(self) -> list[SearchHit]:
        ordered = self._query_args["ordered"]
        words = self._query_args["words"]
        rows = db.session.execute(ordered.limit(self.per_page).offset(self._query_offset)).all()
        periods = _project_periods([row.object_id for row in rows if row.kind == "project"])
        revisions = _page_revisions([row.object_id for row in rows if row.kind == "page"])
        hits = []
        for row in rows:
            own = {}
            if row.kind == "project":
                period = periods.get(row.object_id)
                own = {"period": period, "own_date_known": bool(period and any(period))}
            elif row.kind == "page":
                revised = revisions.get(row.object_id)
                own = {"revised": revised, "own_date_known": revised is not None}
            hits.append(SearchHit(row.kind, row.object_id, row.slug, row.title, row.published_at,
                                  highlight(row.title, words), make_snippet(row.snippet_text, words), **own))
        return hits

    def _query_count(self) -> int:
        base = self._query_args["base"]
        return db.session.scalar(select(func.count()).select_from(base.order_by(None).subquery()))


def search(query: ParsedQuery, page: int = 1, *, per_page: int = PER_PAGE, now: datetime | None = None):
    """One page of public items matching every term of ``query``: title hits first, then by relevance."""
    now = now or utcnow()
    build = _sqlite_statements if uses_fts5() else _postgres_statements
    ordered, base = build(query, now)
    return SearchPagination(page=page, per_page=per_page, max_per_page=None, ordered=ordered, base=base,
                            words=query.words)
