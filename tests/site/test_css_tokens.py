"""The stylesheets name their colours once, as custom properties on :root, and use them through var(--…)."""

from __future__ import annotations

import re
from pathlib import Path

CSS_DIR = Path(__file__).resolve().parents[2] / "static" / "css"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(")
ROOT_BLOCK = re.compile(r":root\s*{[^}]*}")
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def raw_colours(css: str) -> list[str]:
    """Colour values written outside the :root block (comments left out), with their line."""
    css = COMMENT.sub(lambda comment: "\n" * comment.group(0).count("\n"), css)
    css = ROOT_BLOCK.sub(lambda root: "\n" * root.group(0).count("\n"), css)
    return [f"line {number}: {line.strip()}" for number, line in enumerate(css.splitlines(), 1)
            if COLOUR.search(line)]


def test_colours_are_written_only_as_tokens():
    found = {path.name: raw_colours(path.read_text(encoding="utf-8")) for path in sorted(CSS_DIR.glob("*.css"))}
    assert found and {name: lines for name, lines in found.items() if lines} == {}


def test_the_check_sees_a_raw_colour():
    assert raw_colours(":root { --ink: #123456; }\n.a { color: var(--ink); }\n/* #fff */") == []
    assert raw_colours(".a { color: #fff; }\n.b { background: rgba(0, 0, 0, .5); }") == [
        "line 1: .a { color: #fff; }", "line 2: .b { background: rgba(0, 0, 0, .5); }"]
