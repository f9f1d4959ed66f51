"""The site search index: one row per searchable item, plus a dialect-specific full-text index.

The text is stored pre-segmented (search/tokens.py): CJK runs as character bigrams, ASCII
runs as lower-case words. The full-text structures are not part of the SQLAlchemy metadata,
so the model stays the same on both backends:

- SQLite: an FTS5 table ``search_fts(title_tokens, body_tokens)`` whose rowid is
  ``search_entries.id``, written by the search service in the same transaction.
- PostgreSQL: a generated ``search_vector`` tsvector column with a GIN index.

``db.create_all()`` gets them through the DDL listeners below; migration 0003_search
creates the same objects with the same statements.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from charity_site.core.models import UTCDateTime, utcnow
from charity_site.extensions import db

SEARCH_KINDS = ("project", "news", "page", "disclosure")

SQLITE_FTS_TABLE = "search_fts"
# The ascii tokenizer keeps every non-ASCII character inside a token, so a CJK bigram is
# always exactly one token whatever Unicode version SQLite was built with.
SQLITE_CREATE_FTS = (
    f"CREATE VIRTUAL TABLE {SQLITE_FTS_TABLE} USING fts5(title_tokens, body_tokens, tokenize='ascii')"
)
SQLITE_DROP_FTS = f"DROP TABLE IF EXISTS {SQLITE_FTS_TABLE}"

POSTGRES_VECTOR_COLUMN = "search_vector"
POSTGRES_VECTOR_INDEX = "ix_search_entries_search_vector"
POSTGRES_ADD_VECTOR = (
    f"ALTER TABLE search_entries ADD COLUMN {POSTGRES_VECTOR_COLUMN} tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')) STORED"
)
POSTGRES_CREATE_VECTOR_INDEX = (
    f"CREATE INDEX {POSTGRES_VECTOR_INDEX} ON search_entries USING gin ({POSTGRES_VECTOR_COLUMN})"
)

# Schema objects that exist in the database but not in the metadata: the FTS5 table and its
# shadow tables, the PostgreSQL vector column and its index. Alembic's autogenerate/compare
# must leave them alone (migrations/env.py and tests/test_migrations.py use this).
UNMAPPED_SCHEMA_OBJECTS = frozenset({
    SQLITE_FTS_TABLE,
    *(f"{SQLITE_FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")),
    POSTGRES_VECTOR_COLUMN,
    POSTGRES_VECTOR_INDEX,
})


def include_name(name, type_, parent_names) -> bool:
    """Alembic ``include_name`` hook: do not even reflect the unmapped search objects."""
    return name not in UNMAPPED_SCHEMA_OBJECTS


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: ignore the unmapped search objects found in the database."""
    return not (reflected and compare_to is None and name in UNMAPPED_SCHEMA_OBJECTS)


class SearchEntry(db.Model):
    """What the results page shows for one item, and the segmented text it is found by."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_entries_visibility", "is_public", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # one of SEARCH_KINDS
    object_id: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(160), default=str)  # disclosures are addressed by object_id
    title: Mapped[str] = mapped_column(String(200))
    snippet_text: Mapped[str] = mapped_column(Text, default=str)  # plain summary and body, capped
    title_tokens: Mapped[str] = mapped_column(Text, default=str)
    body_tokens: Mapped[str] = mapped_column(Text, default=str)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Published or scheduled (a withdrawn disclosure stays public); a scheduled item shows once
    # published_at has passed, which the query checks, so nothing needs reindexing at that time.
    is_public: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


_table = SearchEntry.__table__
event.listen(_table, "after_create", DDL(SQLITE_CREATE_FTS).execute_if(dialect="sqlite"))
event.listen(_table, "after_drop", DDL(SQLITE_DROP_FTS).execute_if(dialect="sqlite"))
event.listen(_table, "after_create", DDL(POSTGRES_ADD_VECTOR).execute_if(dialect="postgresql"))
event.listen(_table, "after_create", DDL(POSTGRES_CREATE_VECTOR_INDEX).execute_if(dialect="postgresql"))
