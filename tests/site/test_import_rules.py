"""The package's shape, checked by walking every import (ast), so it cannot rot.

- ``core/`` and ``web/`` import no domain.
- A domain may import another domain's models, queries and operations (and its other
  service modules), never its views, admin, forms or CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "charity_site"
SHARED = {"core", "web"}
TOP_LEVEL_MODULES = {"config", "extensions", "models", "cli"}
# Modules of a domain that only its own package (and create_app's lists) may import.
PRIVATE_PARTS = ("views", "admin", "forms", "cli")


def domains() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} - SHARED - {"translations"}


def imports_of(path: Path):
    """Every charity_site module that ``path`` imports, with the line number, including lazy imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("charity_site"):
                for alias in node.names:
                    yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("charity_site"):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import on line {node.lineno}; use charity_site.…")


def is_private(module_name: str) -> bool:
    last = module_name.split(".")[2] if module_name.count(".") >= 2 else ""
    return any(last == part or last.startswith(part + "_") for part in PRIVATE_PARTS)


def breaches() -> list[str]:
    found = []
    known_domains = domains()
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        owner = parts[0] if len(parts) > 1 else None
        if owner is None or owner == "translations":
            continue  # create_app, models.py and cli.py gather every domain on purpose
        for line, target in imports_of(path):
            target_parts = target.split(".")
            if len(target_parts) < 2 or target_parts[1] not in known_domains:
                continue
            target_domain = target_parts[1]
            where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
            if owner in SHARED:
                found.append(f"{where}: core/ and web/ import no domain")
            elif target_domain != owner and is_private(".".join(target_parts[:3])):
                found.append(f"{where}: another domain's views, admin, forms or CLI")
    return found


def test_core_and_web_import_no_domain_and_domains_keep_to_each_others_reads_and_writes():
    assert breaches() == []


def test_the_checker_catches_a_breach(tmp_path, monkeypatch):
    fake = tmp_path / "charity_site"
    for name in ("core", "news", "projects"):
        (fake / name).mkdir(parents=True)
        (fake / name / "__init__.py").write_text("")
    (fake / "core" / "thing.py").write_text("from charity_site.news.queries import latest_news\n")
    (fake / "projects" / "views.py").write_text("from charity_site.news.admin import bp\n"
                                                "from charity_site.news.queries import latest_news\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake)
    found = breaches()
    assert len(found) == 2
    assert "core/ and web/ import no domain" in found[0]
    assert "another domain's views" in found[1]


@pytest.mark.parametrize("old", ["services", "views", "forms"])
def test_the_flat_folders_are_gone(old):
    assert not (PACKAGE / old).exists()
