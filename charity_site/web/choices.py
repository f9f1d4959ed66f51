"""Drop-down and checkbox choices in the order Chinese readers look for them: by pinyin.

SQL's ORDER BY title sorts Chinese by code point (番 after 慈 after 大...), which nobody can search by
eye; staff expect 拼音 order, as in a dictionary or a phone's contact list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def pinyin_key(text: str | None) -> tuple[str, str]:
    """A sort key: the text's toneless pinyin, then the text itself to keep ties stable."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take ~1 s to load: only when a list is sorted

    text = text or ""
    return (" ".join(lazy_pinyin(text, style=Style.NORMAL)).lower(), text)


def by_pinyin(items: Iterable[T], title: Callable[[T], str] = lambda item: item.title) -> list[T]:
    """``items`` sorted by the pinyin of ``title(item)`` (an object's .title by default)."""
    return sorted(items, key=lambda item: pinyin_key(title(item)))
