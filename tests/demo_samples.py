"""Read the shipped content/ files directly, so tests compare the site against its sources.

These readers use PyYAML on the raw files and never the application's loader,
so a loader bug cannot hide behind an expected value computed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import yaml
from conftest import CONTENT_DIR

SECTIONS = ("pages", "projects", "funds", "news", "disclosures", "ledger")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    meta: dict
    body: str

    @property
    def slug(self) -> str:
        return self.path.stem


def read_source(path: Path) -> SourceFile:
    text = path.read_text(encoding="utf-8-sig")
    _, front_matter, body = text.split("---\n", 2)
    return SourceFile(path, yaml.safe_load(front_matter) or {}, body.strip())


def section_files(section: str, root: Path = CONTENT_DIR) -> list[SourceFile]:
    return [read_source(path) for path in sorted((root / section).glob("*.md"))]


def settings(root: Path = CONTENT_DIR) -> dict:
    return read_source(root / "settings.md").meta


def source(section: str, slug: str, root: Path = CONTENT_DIR) -> SourceFile:
    return read_source(root / section / f"{slug}.md")


def ledger_entries(root: Path = CONTENT_DIR) -> list[dict]:
    return [entry for ledger in section_files("ledger", root) for entry in ledger.meta["entries"]]


def fen(amount: str) -> int:
    return int(Decimal(str(amount)) * 100)


def ledger_sum(kind: str, root: Path = CONTENT_DIR, **filters) -> int:
    """What the files say the total is: every line of ``kind`` except those given a void_reason."""
    return sum(
        fen(entry["amount"])
        for entry in ledger_entries(root)
        if entry["kind"] == kind and not entry.get("void_reason")
        and all(entry.get(key) == value for key, value in filters.items())
    )


def local_time(value) -> datetime:
    """A front-matter time ('2025-01-15 10:30' or a YAML datetime), as the naive local wall clock."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.strptime(str(value), "%Y-%m-%d %H:%M")


def is_public_news(meta: dict, now: datetime) -> bool:
    status = meta.get("status", "published")
    if status == "draft":
        return False
    published_at = meta.get("published_at")
    return published_at is None or local_time(published_at) <= now


def is_public_project(meta: dict) -> bool:
    return meta.get("publication", "published") != "draft"


def is_public_page(meta: dict) -> bool:
    return meta.get("status", "published") != "draft"
