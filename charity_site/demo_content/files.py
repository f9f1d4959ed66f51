"""Reading content/ files: Markdown with a YAML front matter block.

Parsing is separate from loading so that a file is fully understood (or
rejected, with its name and line) before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from charity_site.core.formatting import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_AMOUNT_FEN,
    MoneyFormatError,
    is_supported_date,
    local_to_utc,
    yuan_to_fen,
)
from charity_site.core.models import INTEGER_MAX
from charity_site.web.input import control_character_at

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ContentError(ValueError):
    """A problem in one content file, located by file name and line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class ContentFile:
    path: Path
    relative: str
    meta: dict
    body: str
    front_matter_text: str
    front_matter_first_line: int  # line number of the first YAML line in the file

    @property
    def stem(self) -> str:
        return self.path.stem

    def line_of(self, key: str, value: Any = None) -> int | None:
        """Best-effort line number of ``key:`` (or of a value) for error messages."""
        lines = self.front_matter_text.splitlines()
        needle_value = str(value) if value is not None else None
        for offset, text in enumerate(lines):
            stripped = text.strip().lstrip("- ").strip()
            if needle_value is not None and needle_value in text:
                return self.front_matter_first_line + offset
            if needle_value is None and stripped.startswith(f"{key}:"):
                return self.front_matter_first_line + offset
        return self.front_matter_first_line

    def error(self, message: str, key: str | None = None, value: Any = None) -> ContentError:
        line = self.line_of(key, value) if key or value is not None else self.front_matter_first_line
        return ContentError(self.relative, line, message)


def read_content_file(path: Path, root: Path) -> ContentFile:
    relative = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(relative, None, f"not UTF-8 text ({exc.reason})") from exc
    position = control_character_at(text, multiline=True)
    if position is not None:
        line = text.count("\n", 0, position) + 1
        raise ContentError(relative, line, f"contains the control character U+{ord(text[position]):04X}; "
                                           "remove it (only tabs and line breaks are allowed)")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(relative, 1, "the file must start with a '---' line opening the front matter")
    try:
        closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ContentError(relative, 1, "the front matter opened on line 1 is never closed with '---'") from None
    front_matter_text = "\n".join(lines[1:closing])
    try:
        meta = yaml.safe_load(front_matter_text) or {}
    except yaml.YAMLError as exc:
        # The context mark is where the broken construct began (an unclosed quote, say); the
        # problem mark is where the parser gave up, often much later. Point at the beginning.
        context, problem_mark = getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)
        mark = context or problem_mark
        line = mark.line + 2 if mark is not None else 1  # +1 for the '---' line, +1 for 1-based
        problem = " ".join(filter(None, (getattr(exc, "context", None), getattr(exc, "problem", None)))) or str(exc)
        raise ContentError(relative, line, f"front matter is not valid YAML: {problem}") from exc
    if not isinstance(meta, dict):
        raise ContentError(relative, 2, "front matter must be a mapping of 'key: value' lines")
    body = "\n".join(lines[closing + 1:]).strip() + "\n"
    return ContentFile(path, relative, meta, body.lstrip("\n"), front_matter_text, 2)


# --- field readers: each raises ContentError naming the file, line and field ---


def text_field(cf: ContentFile, meta: dict, key: str, *, required: bool = False,
               max_length: int | None = 200) -> str:
    """Text, stripped. ``max_length`` None: the caller checks the length (a ledger line: finance.rules)."""
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise cf.error(f"'{key}' is required", key)
        return ""
    if not isinstance(value, (str, int)):
        raise cf.error(f"'{key}' must be text", key)
    value = str(value).strip()
    if max_length is not None and len(value) > max_length:
        raise cf.error(f"'{key}' is longer than {max_length} characters", key)
    return value


def int_field(cf: ContentFile, meta: dict, key: str) -> int | None:
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INTEGER_MAX:
        raise cf.error(f"'{key}' must be a whole number from 0 to {INTEGER_MAX}, not {value!r}", key)
    return value


def bool_field(cf: ContentFile, meta: dict, key: str, default: bool = False) -> bool:
    value = meta.get(key, default)
    if not isinstance(value, bool):
        raise cf.error(f"'{key}' must be true or false", key)
    return value


def date_field(cf: ContentFile, meta: dict, key: str, *, required: bool = False) -> date | None:
    value = meta.get(key)
    if value is None or value == "":
        if required:
            raise cf.error(f"'{key}' is required (YYYY-MM-DD)", key)
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise cf.error(f"'{key}' must be a date written YYYY-MM-DD, not {value!r}", key) from None
    if not is_supported_date(value):
        raise cf.error(f"'{key}' must be a date from {EARLIEST_DATE} to {LATEST_DATE}, not {value}", key)
    return value


def datetime_field(cf: ContentFile, meta: dict, key: str) -> datetime | None:
    """A local (Asia/Shanghai) 'YYYY-MM-DD HH:MM' or date, returned as aware UTC."""
    value = meta.get(key)
    if value is None or value == "":
        return None
    parsed = _local_datetime(value)
    if parsed is None:
        raise cf.error(f"'{key}' must be 'YYYY-MM-DD HH:MM' (Asia/Shanghai time), not {value!r}", key)
    if not is_supported_date(parsed):
        raise cf.error(f"'{key}' must be a date from {EARLIEST_DATE} to {LATEST_DATE}, not {value}", key)
    return local_to_utc(parsed)


def _local_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 9, 0)
    text = str(value).strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed.replace(hour=9) if pattern == "%Y-%m-%d" else parsed
    return None


def money_field(cf: ContentFile, meta: dict, key: str, *, required: bool = False, line_hint: Any = None,
                limits: bool = True) -> int | None:
    """An amount in yuan as fen. ``limits`` False: the caller checks the amount (a ledger line: finance.rules)."""
    value = meta.get(key)
    if value is None or value == "":
        if required:
            raise cf.error(f"'{key}' is required (an amount in yuan, e.g. \"1234.50\")", key, line_hint)
        return None
    try:
        fen = yuan_to_fen(value)
    except MoneyFormatError as exc:
        raise cf.error(f"'{key}': {exc}", key, line_hint) from None
    if not limits:
        return fen
    if fen < 0:
        raise cf.error(f"'{key}' must not be negative", key, line_hint)
    if fen > MAX_AMOUNT_FEN:
        raise cf.error(f"'{key}' is larger than {MAX_AMOUNT_FEN // 100} yuan; please check it", key, line_hint)
    return fen


def choice_field(cf: ContentFile, meta: dict, key: str, choices, *, default=None, line_hint: Any = None):
    value = meta.get(key, default)
    allowed = [getattr(choice, "value", choice) for choice in choices]
    if value not in allowed:
        raise cf.error(f"'{key}' must be one of {', '.join(map(str, allowed))}; got {value!r}", key, line_hint)
    return value


def slug_list(cf: ContentFile, meta: dict, key: str) -> list[str]:
    value = meta.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise cf.error(f"'{key}' must be a list of slugs", key)
    return value


def file_slug(cf: ContentFile) -> str:
    slug = cf.stem
    if not SLUG_PATTERN.match(slug):
        raise ContentError(cf.relative, None, "file name must be a slug: lowercase letters, digits and hyphens")
    return slug


def fingerprint(data: dict) -> str:
    """A stable hash of parsed content, to tell an unchanged file from a changed one."""
    encoded = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"skipped {len(self.skipped)}, files with errors {len(self.errors)}"
        )
