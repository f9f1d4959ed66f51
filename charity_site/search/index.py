"""Keeping the site search index current. (tokens.py turns text into tokens; queries.py searches;
snippets.py highlights.)

Chinese has no spaces, so text is indexed as overlapping character bigrams: 慈善救助 becomes
"慈善 善救 救助 助x". Every occurrence of a CJK character starts one token (the closing
"助x" sentinel covers a run's last character), so

- a word of two or more characters is found as the phrase of its bigrams, which matches
  exactly where the word occurs as a substring (and never across a space or punctuation,
  because the sentinel sits between runs);
- a single character is found as a prefix query (助*).

ASCII letters and digits are indexed as lower-case words. A query is segmented with jieba
into words that must all occur. Only CJK characters and [a-z0-9] survive parsing, so nothing
a visitor types can reach the FTS5 or tsquery syntax.

SQLite keeps the tokens in an FTS5 table written here, in the caller's transaction;
PostgreSQL derives a weighted tsvector from them in a generated column (search/models.py).
"""

from __future__ import annotations

from sqlalchemy import delete, exists, select, text

from charity_site.core.markdown import plain_text
from charity_site.core.models import PublicationStatus
from charity_site.core.transaction import operation
from charity_site.disclosures.models import Disclosure, DisclosureStatus
from charity_site.extensions import db
from charity_site.news.models import NewsPost
from charity_site.pages.models import Page
from charity_site.projects.models import Project
from charity_site.search.models import SEARCH_KINDS, SQLITE_FTS_TABLE, SearchEntry
from charity_site.search.tokens import tokenize

SNIPPET_TEXT_CHARS = 20_000
# Bounds the index size of one item (PostgreSQL refuses a tsvector over 1 MB).
TITLE_TOKEN_CHARS = 5_000
BODY_TOKEN_CHARS = 50_000


# --- query parsing ---------------------------------------------------------------------


# --- keeping the index current ----------------------------------------------------------

def _models() -> dict[str, type]:
    return {"project": Project, "news": NewsPost, "page": Page, "disclosure": Disclosure}


def kind_of(record) -> str | None:
    for kind, model in _models().items():
        if isinstance(record, model):
            return kind
    return None


def _is_public(kind: str, item) -> bool:
    if kind == "disclosure":
        return item.status in (DisclosureStatus.PUBLISHED, DisclosureStatus.WITHDRAWN)
    return item.status in (PublicationStatus.PUBLISHED, PublicationStatus.SCHEDULED)


def entry_values(kind: str, item) -> dict:
    """The search_entries row of one project, news post, page or disclosure."""
    summary = " ".join((item.summary or "").split())
    body = plain_text(item.body_md)
    return {
        "slug": item.slug or "",
        "title": item.title or "",
        "snippet_text": " ".join(filter(None, (summary, body)))[:SNIPPET_TEXT_CHARS],
        "title_tokens": tokenize(f"{item.title or ''} {summary}"[:TITLE_TOKEN_CHARS]),
        "body_tokens": tokenize(body[:BODY_TOKEN_CHARS]),
        "published_at": item.published_at,
        "is_public": _is_public(kind, item),
    }


def uses_fts5() -> bool:
    return db.engine.dialect.name == "sqlite"


def _fts5_replace(entries: list[SearchEntry]) -> None:
    if not entries or not uses_fts5():
        return
    db.session.execute(text(f"DELETE FROM {SQLITE_FTS_TABLE} WHERE rowid = :id"), [{"id": e.id} for e in entries])
    db.session.execute(
        text(f"INSERT INTO {SQLITE_FTS_TABLE} (rowid, title_tokens, body_tokens) VALUES (:id, :title, :body)"),
        [{"id": e.id, "title": e.title_tokens, "body": e.body_tokens} for e in entries],
    )


def index_item(kind: str, item) -> None:
    """Write ``item``'s search entry in the current transaction; kinds that are not searched are ignored."""
    if kind not in SEARCH_KINDS:
        return
    entry = db.session.scalars(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == item.id)
    ).first()
    if entry is None:
        entry = SearchEntry(kind=kind, object_id=item.id)
        db.session.add(entry)
    for name, value in entry_values(kind, item).items():
        setattr(entry, name, value)
    db.session.flush()
    _fts5_replace([entry])


def index_record(record) -> None:
    """index_item for a model instance of any type (the content loader's hook)."""
    kind = kind_of(record)
    if kind is not None:
        index_item(kind, record)


def remove_item(kind: str, object_id: int) -> None:
    entry = db.session.scalars(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id)
    ).first()
    if entry is None:
        return
    if uses_fts5():
        db.session.execute(text(f"DELETE FROM {SQLITE_FTS_TABLE} WHERE rowid = :id"), {"id": entry.id})
    db.session.delete(entry)
    db.session.flush()


@operation
def reindex() -> int:
    """Rebuild the whole index from the content tables (in the caller's unit of work); returns the entry count."""
    if uses_fts5():
        db.session.execute(text(f"DELETE FROM {SQLITE_FTS_TABLE}"))
    db.session.execute(delete(SearchEntry))
    entries = []
    for kind, model in _models().items():
        for item in db.session.scalars(select(model).order_by(model.id)):
            entries.append(SearchEntry(kind=kind, object_id=item.id, **entry_values(kind, item)))
    db.session.add_all(entries)
    db.session.flush()
    if uses_fts5():
        db.session.execute(text(
            f"INSERT INTO {SQLITE_FTS_TABLE} (rowid, title_tokens, body_tokens) "
            "SELECT id, title_tokens, body_tokens FROM search_entries"
        ))
    return len(entries)


def index_is_empty() -> bool:
    return not db.session.scalar(select(exists().where(SearchEntry.id.is_not(None))))


def ensure_index() -> int | None:
    """Build the index when it is empty but content exists (a database from before search); else None."""
    if not index_is_empty():
        return None
    if not any(db.session.scalar(select(exists().where(model.id.is_not(None)))) for model in _models().values()):
        return None
    return reindex()


# --- querying ------------------------------------------------------------------------------


# --- highlighting -----------------------------------------------------------------------------


