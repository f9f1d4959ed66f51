"""Site search: segmenting text, keeping the index current, querying it, highlighting results.

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
PostgreSQL derives a weighted tsvector from them in a generated column (models/search.py).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import bindparam, column, delete, exists, func, literal_column, select, table, text

from charity_site.core.markdown import plain_text
from charity_site.core.models import PublicationStatus, utcnow
from charity_site.core.transaction import operation
from charity_site.disclosures.models import Disclosure, DisclosureStatus
from charity_site.extensions import db
from charity_site.news.models import NewsPost
from charity_site.pages.models import Page
from charity_site.projects.models import Project
from charity_site.search.models import SEARCH_KINDS, SQLITE_FTS_TABLE, SearchEntry

PER_PAGE = 10
MAX_QUERY_CHARS = 100
MAX_TERMS = 32
SNIPPET_WIDTH = 60
SNIPPET_TEXT_CHARS = 20_000
# Bounds the index size of one item (PostgreSQL refuses a tsvector over 1 MB).
TITLE_TOKEN_CHARS = 5_000
BODY_TOKEN_CHARS = 50_000

# CJK Extension A, Unified Ideographs and the assigned Compatibility Ideographs. Unassigned
# code points are left out: PostgreSQL's parser treats them as separators.
CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufa6d\ufa70-\ufad9"
_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
_RUNS = re.compile(f"[{CJK_CHARS}]+|[a-z0-9]+")
SENTINEL = "x"

# Upper-case and full-width ASCII (Ａ１！) fold to lower-case ASCII, one character for one, so
# positions in the folded text are positions in the original (used for highlighting).
_FOLD = str.maketrans(
    {**{chr(code): chr(code + 32) for code in range(ord("A"), ord("Z") + 1)},
     **{chr(code): chr(code - 0xFEE0).lower() for code in range(0xFF01, 0xFF5F)},
     "\u3000": " "}
)


def fold(text: str) -> str:
    return text.translate(_FOLD)


def is_cjk(run: str) -> bool:
    return bool(_CJK_RUN.fullmatch(run))


def text_runs(text: str | None) -> list[str]:
    """The runs of CJK ideographs and of ASCII letters/digits in ``text``; the rest separates them."""
    return _RUNS.findall(fold(text or ""))


def run_tokens(run: str) -> list[str]:
    if not is_cjk(run):
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1] + SENTINEL]


def tokenize(text: str | None) -> str:
    """Space-separated index tokens of ``text``: 慈善救助 → "慈善 善救 救助 助x"."""
    return " ".join(token for run in text_runs(text) for token in run_tokens(run))


# --- query parsing ---------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One query word: ``text`` as it appears in documents, ``tokens`` to find it by."""

    text: str
    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the query as searched: stripped and capped
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(term.text for term in self.terms)


_jieba_lock = threading.Lock()
_jieba_tokenizer = None


def _jieba():
    """jieba's tokenizer, built once per process on first use (loading its dictionary takes a second)."""
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _jieba_lock:
            if _jieba_tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba_tokenizer = tokenizer
    return _jieba_tokenizer


def segment(part: str) -> list[str]:
    """Split one space-free query part into words, favouring recall.

    jieba's precise mode gives the words. Runs of single characters that jieba could not
    place (得很好 → 得 很 好) are put back together: one phrase is a much better query than
    several one-character prefixes. A longer word that dictionary two-character words cover
    completely (贫困学生 → 贫困 学生) is replaced by them, so text that has those words apart
    is found too.
    """
    tokenizer = _jieba()
    words: list[str] = []
    singles: list[str] = []
    for piece in tokenizer.lcut(part):
        if len(piece) == 1 and is_cjk(piece):
            singles.append(piece)
            continue
        if singles:
            words.append("".join(singles))
            singles = []
        words.extend(_split_compound(piece, tokenizer.FREQ))
    if singles:
        words.append("".join(singles))
    return words


def _split_compound(word: str, frequencies: dict) -> list[str]:
    if len(word) < 3 or not is_cjk(word):
        return [word]
    parts, position = [], 0
    while position < len(word):
        if position + 2 <= len(word) and frequencies.get(word[position:position + 2]):
            parts.append(word[position:position + 2])
            position += 2
        elif position > 0 and frequencies.get(word[position - 1:position + 1]):
            parts.append(word[position - 1:position + 1])  # overlaps the previous part
            position += 1
        else:
            return [word]
    return parts


def _term(run: str) -> Term:
    if not is_cjk(run):
        return Term(run, (run,))
    if len(run) == 1:
        return Term(run, (run,), prefix=True)
    return Term(run, tuple(run[i:i + 2] for i in range(len(run) - 1)))


def parse_query(raw: str | None) -> ParsedQuery:
    """The visitor's input as search terms, all of which must match. Never raises."""
    text = " ".join((raw or "").split())[:MAX_QUERY_CHARS].strip()
    terms: list[Term] = []
    for part in fold(text).split():
        if not text_runs(part):
            continue  # punctuation, quotes, operators: nothing to look for
        for word in segment(part):
            for run in text_runs(word):
                term = _term(run)
                if term not in terms:
                    terms.append(term)
    return ParsedQuery(text, tuple(terms[:MAX_TERMS]))


def fts5_expression(query: ParsedQuery, column_name: str | None = None) -> str:
    """The FTS5 MATCH string: every term as a quoted phrase (or prefix), ANDed."""
    phrases = ['"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "") for term in query.terms]
    expression = " AND ".join(phrases)
    return f"{column_name} : ({expression})" if column_name else expression


def tsquery_expression(query: ParsedQuery, weight: str = "") -> str:
    """The to_tsquery('simple', …) string; ``weight`` 'A' restricts every operand to the title."""
    operands = []
    for term in query.terms:
        if term.prefix:
            suffix = ":*" + weight
        else:
            suffix = ":" + weight if weight else ""
        parts = [f"'{token}'{suffix}" for token in term.tokens]
        operands.append(parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")")
    return " & ".join(operands)


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


def _uses_fts5() -> bool:
    return db.engine.dialect.name == "sqlite"


def _fts5_replace(entries: list[SearchEntry]) -> None:
    if not entries or not _uses_fts5():
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
    if _uses_fts5():
        db.session.execute(text(f"DELETE FROM {SQLITE_FTS_TABLE} WHERE rowid = :id"), {"id": entry.id})
    db.session.delete(entry)
    db.session.flush()


@operation
def reindex() -> int:
    """Rebuild the whole index from the content tables (in the caller's unit of work); returns the entry count."""
    if _uses_fts5():
        db.session.execute(text(f"DELETE FROM {SQLITE_FTS_TABLE}"))
    db.session.execute(delete(SearchEntry))
    entries = []
    for kind, model in _models().items():
        for item in db.session.scalars(select(model).order_by(model.id)):
            entries.append(SearchEntry(kind=kind, object_id=item.id, **entry_values(kind, item)))
    db.session.add_all(entries)
    db.session.flush()
    if _uses_fts5():
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


class SearchPagination(Pagination):
    """Flask-SQLAlchemy's pagination over the search statements: 404 past the last page."""

    def _query_items(self) -> list[SearchHit]:
        ordered = self._query_args["ordered"]
        words = self._query_args["words"]
        rows = db.session.execute(ordered.limit(self.per_page).offset(self._query_offset)).all()
        return [
            SearchHit(row.kind, row.object_id, row.slug, row.title, row.published_at,
                      highlight(row.title, words), make_snippet(row.snippet_text, words))
            for row in rows
        ]

    def _query_count(self) -> int:
        base = self._query_args["base"]
        return db.session.scalar(select(func.count()).select_from(base.order_by(None).subquery()))


def search(query: ParsedQuery, page: int = 1, *, per_page: int = PER_PAGE, now: datetime | None = None):
    """One page of public items matching every term of ``query``: title hits first, then by relevance."""
    now = now or utcnow()
    build = _sqlite_statements if _uses_fts5() else _postgres_statements
    ordered, base = build(query, now)
    return SearchPagination(page=page, per_page=per_page, max_per_page=None, ordered=ordered, base=base,
                            words=query.words)


# --- highlighting -----------------------------------------------------------------------------

def _word_pattern(words) -> re.Pattern | None:
    alternatives = []
    for word in sorted(set(words), key=len, reverse=True):
        if is_cjk(word):
            alternatives.append(re.escape(word))
        elif word:
            alternatives.append(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")
    return re.compile("|".join(alternatives)) if alternatives else None


def _matches(text: str, words) -> list[tuple[int, int]]:
    """Spans of the query words in ``text``; touching spans are joined into one."""
    pattern = _word_pattern(words)
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(fold(text)) if pattern else ():
        if spans and spans[-1][1] == match.start():
            spans[-1] = (spans[-1][0], match.end())
        else:
            spans.append(match.span())
    return spans


def _render(text: str, spans, start: int, end: int) -> Markup:
    pieces, position = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(escape(text[position:span_start]))
        pieces.append(Markup("<mark>%s</mark>") % text[span_start:span_end])
        position = span_end
    pieces.append(escape(text[position:end]))
    return Markup("").join(pieces)


def highlight(text: str | None, words) -> Markup:
    """``text`` escaped, with every occurrence of every query word wrapped in <mark>."""
    text = text or ""
    return _render(text, _matches(text, words), 0, len(text))


_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}
_CLAUSE_BREAKS = set("，。；：！？、,.;:!? \u3000")


def _inside_cluster(text: str, index: int) -> bool:
    """Whether cutting before ``text[index]`` would split a word or a character sequence."""
    if index <= 0 or index >= len(text):
        return False
    before, after = text[index - 1], text[index]
    if unicodedata.combining(after) or after in _JOINERS or before == "\u200d" or "\U0001f3fb" <= after <= "\U0001f3ff":
        return True
    return fold(before).isascii() and fold(after).isascii() and fold(before).isalnum() and fold(after).isalnum()


def make_snippet(text: str | None, words, width: int = SNIPPET_WIDTH) -> Markup:
    """About ``width`` characters around the first query word in ``text``, highlighted, … at cut ends."""
    text = text or ""
    spans = _matches(text, words)
    if len(text) <= width:
        start, end = 0, len(text)
    elif spans:
        first_start, first_end = spans[0]
        start = max(0, first_start - width // 3)
        end = min(len(text), max(start + width, first_end))
        start = max(0, min(start, end - width))
    else:
        start, end = 0, width
    if start > 0 and spans:
        # Begin after a nearby punctuation mark rather than in the middle of a phrase.
        lead_in = text[start:min(spans[0][0], start + 12)]
        breaks = [index for index, char in enumerate(lead_in) if char in _CLAUSE_BREAKS]
        if breaks:
            start += breaks[-1] + 1
    for _ in range(12):  # move cuts out of a word or an emoji sequence, but not far
        moved = False
        if _inside_cluster(text, start):
            start, moved = start - 1, True
        if _inside_cluster(text, end):
            end, moved = end + 1, True
        if not moved:
            break
    body = _render(text, spans, start, end)
    lead = Markup("…") if start > 0 else Markup("")
    tail = Markup("…") if end < len(text) else Markup("")
    return lead + body + tail
