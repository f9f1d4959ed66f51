"""Highlighting the searched words and cutting a snippet around them (escaped markup)."""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

from charity_site.search.tokens import fold, is_cjk

SNIPPET_WIDTH = 60


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
