"""Every place that lets text reach a page as markup, unescaped, is listed here with the reason it is safe.

The template engine escapes every value. The ways around it are few, and each is a place where a
value typed by someone could end up as HTML: ``Markup(...)`` and ``Markup.unescape`` in Python, a
lazy_gettext string built with values (a lazy string counts as markup in a template, so its values
are not escaped: that is how project titles reached /admin/ raw), a class with ``__html__``, turning
autoescape off, ``|safe`` or ``{% autoescape false %}`` in a template, and ``innerHTML`` and its kin
in the scripts. This test finds every one of them in charity_site/, templates/ and static/js/ and
fails on any that is not in ALLOWED below, and on an ALLOWED entry that no longer exists.

To add one: make sure the text is the sanitiser's output, or built only from constants and escaped
values; then add the file, a piece of the line, and that reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from charity_site.config import PROJECT_ROOT

# (file, a piece of the line) → why that markup is safe.
ALLOWED = {
    ("charity_site/core/markdown.py", 'return Markup("")'): "empty markup for an empty text",
    ("charity_site/core/markdown.py", "return Markup(_sanitised_html(text))"):
        "the sanitiser's output (nh3 with the allowed tags and attributes), kept per text once rendered",
    ("charity_site/core/markdown.py", "return Markup(page_html)"):
        "sanitised HTML after the app's page steps; the one step (files.uploads.add_image_dimensions) only "
        "gives <img> tags width and height numbers from the attachments table",
    ("charity_site/search/snippets.py", 'pieces.append(Markup("<mark>%s</mark>") % text[span_start:span_end])'):
        "the % operator of Markup escapes the text it inserts",
    ("charity_site/search/snippets.py", 'return Markup("").join(pieces)'):
        "joins pieces that are escaped text or <mark> markup; join escapes any plain string",
    ("charity_site/search/snippets.py", 'lead = Markup("…") if start > 0 else Markup("")'): "a constant",
    ("charity_site/search/snippets.py", 'tail = Markup("…") if end < len(text) else Markup("")'): "a constant",
    ("charity_site/volunteers/admin_attendance.py", "svg=Markup(qr_svg(checkin_url(shift))))"):
        "an SVG QR code drawn by the qrcode library from the shift's check-in address (a random token)",
    ("charity_site/volunteers/admin_attendance.py", "qr=Markup(qr_svg(verify_url)), back_url=url_for(\".person\", volunteer_id=found.volunteer_id)"):
        "an SVG QR code drawn by the qrcode library from the certificate's verify address",
    ("charity_site/volunteers/views_records.py", "qr=Markup(qr_svg(verify_url))))"):
        "an SVG QR code drawn by the qrcode library from the certificate's verify address",
    ("charity_site/disclosures/views.py", "qr=Markup(qr_svg(online_url))"):
        "an SVG QR code drawn by the qrcode library from the page's own address",
    ("charity_site/donations/views.py", "return Markup(qr_svg(address))"):
        "an SVG QR code drawn by the qrcode library from one of the site's own addresses",
    ("static/js/editor.js", "output.innerHTML = data.html;"):
        "the staff preview: /admin/preview answers with the sanitiser's output",
    ("static/js/image-picker.js", "list.innerHTML = html;"):
        "the picker's list, rendered by the server from a template that escapes every value",
}

_TEMPLATE_PATTERNS = (
    re.compile(r"\|\s*safe\b"),
    re.compile(r"{%-?\s*autoescape\s+(false|False)\b"),
    re.compile(r"{%-?\s*filter\s+safe\b"),
    re.compile(r"\bMarkup\b"),
)
_SCRIPT_PATTERN = re.compile(r"\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write)\b")
_LAZY_GETTEXT = {"lazy_gettext", "lazy_ngettext", "lazy_pgettext", "lazy_npgettext"}


class _PythonFinder(ast.NodeVisitor):
    def __init__(self):
        self.markup_names = {"Markup"}
        self.lazy_names = set(_LAZY_GETTEXT)
        self.lines: list[tuple[int, str]] = []

    def visit_ImportFrom(self, node):
        for alias in node.names:
            if alias.name == "Markup":
                self.markup_names.add(alias.asname or alias.name)
            if node.module == "flask_babel" and alias.name in _LAZY_GETTEXT:
                self.lazy_names.add(alias.asname or alias.name)
        self.generic_visit(node)

    def visit_Call(self, node):
        function = node.func
        name = getattr(function, "id", None) or getattr(function, "attr", "")
        if name in self.markup_names:
            self.lines.append((node.lineno, "Markup(...)"))
        plain_module = isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name) and \
            function.value.id == "html"  # html.unescape gives plain text, which templates escape
        if name == "unescape" and isinstance(function, ast.Attribute) and not plain_module:
            self.lines.append((node.lineno, "unescape()"))
        if name in self.lazy_names:
            constant = all(isinstance(arg, ast.Constant) for arg in node.args) and not node.keywords
            if not constant:
                self.lines.append((node.lineno, "lazy gettext with values"))
        for keyword in node.keywords:
            if keyword.arg == "autoescape" and isinstance(keyword.value, ast.Constant) and keyword.value.value is False:
                self.lines.append((node.lineno, "autoescape=False"))
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if node.name == "__html__":
            self.lines.append((node.lineno, "__html__"))
        self.generic_visit(node)

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in ("autoescape", "select_jinja_autoescape"):
                self.lines.append((node.lineno, "autoescape changed"))
        self.generic_visit(node)


def _relative(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).as_posix()


def markup_uses() -> list[tuple[str, str, str]]:
    """(file, line, what) for every way around autoescaping in the code, the templates and the scripts."""
    found = []
    for path in sorted((PROJECT_ROOT / "charity_site").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        finder = _PythonFinder()
        finder.visit(ast.parse(source))
        lines = source.splitlines()
        found += [(_relative(path), lines[number - 1].strip(), what) for number, what in finder.lines]
    for path in sorted((PROJECT_ROOT / "templates").rglob("*")):
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                found += [(_relative(path), line.strip(), pattern.pattern)
                          for pattern in _TEMPLATE_PATTERNS if pattern.search(line)]
    for path in sorted((PROJECT_ROOT / "static" / "js").rglob("*.js")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if _SCRIPT_PATTERN.search(line):
                found.append((_relative(path), line.strip(), "HTML from a string"))
    return found


def _allowed_entry(path: str, line: str):
    return next((key for key in ALLOWED if key[0] == path and key[1] in line), None)


def test_every_way_around_autoescaping_is_on_the_reviewed_list():
    unreviewed = [f"{path}: {line}   ({what})" for path, line, what in markup_uses()
                  if _allowed_entry(path, line) is None]
    assert not unreviewed, (
        "Text reaches a page as markup here without review. Escape it instead, or, if it is the sanitiser's "
        "output or built only from constants and escaped values, add it to ALLOWED with the reason:\n  "
        + "\n  ".join(unreviewed)
    )


def test_the_reviewed_list_has_no_stale_entries():
    used = {_allowed_entry(path, line) for path, line, _what in markup_uses()}
    assert set(ALLOWED) - used == set(), "remove these from ALLOWED: the code no longer has them"


def test_the_finder_sees_each_kind_of_markup(tmp_path):
    """The finder itself: each way around autoescaping that it claims to see, it sees."""
    source = (
        "from markupsafe import Markup as M\n"
        "from flask_babel import lazy_gettext as _l\n"
        "a = M(user_text)\n"
        "b = _l('%(name)s: report', name=project.title)\n"
        "c = text.unescape()\n"
        "env.autoescape = False\n"
        "class Thing:\n    def __html__(self):\n        return self.text\n"
        "d = _l('Plain words')\n"
    )
    finder = _PythonFinder()
    finder.visit(ast.parse(source))
    assert [what for _line, what in finder.lines] == [
        "Markup(...)", "lazy gettext with values", "unescape()", "autoescape changed", "__html__"]
    assert all(pattern.search(text) for pattern, text in zip(_TEMPLATE_PATTERNS, (
        "{{ page.title|safe }}", "{% autoescape false %}", "{% filter safe %}", "{{ Markup(x) }}"), strict=True))
    assert _SCRIPT_PATTERN.search("node.innerHTML = text;")
