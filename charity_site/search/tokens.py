"""Turning text and queries into search tokens: folding, CJK runs, jieba segmentation, FTS5 and tsquery expressions."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

MAX_QUERY_CHARS = 100


MAX_TERMS = 32


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
