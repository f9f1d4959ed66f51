"""`flask content load`: content/ files become records, idempotently, without overwriting staff work."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONTENT_DIR
from demo_samples import fen, ledger_entries, section_files, settings, source
from sqlalchemy import func, select

from charity_site.demo_content.loader import load_content
from charity_site.extensions import db
from charity_site.models import (
    Disclosure,
    DisclosureRevision,
    Fund,
    LedgerEntry,
    NewsPost,
    Opportunity,
    Page,
    Project,
    ProjectUpdate,
    SiteSettings,
    news_projects,
)

CONTENT_TABLES = {
    "settings": SiteSettings.__table__,
    "pages": Page.__table__,
    "projects": Project.__table__,
    "project_updates": ProjectUpdate.__table__,
    "funds": Fund.__table__,
    "news": NewsPost.__table__,
    "news_projects": news_projects,
    "disclosures": Disclosure.__table__,
    "disclosure_revisions": DisclosureRevision.__table__,
    "ledger": LedgerEntry.__table__,
    "opportunities": Opportunity.__table__,
}


def row_counts() -> dict[str, int]:
    return {name: db.session.scalar(select(func.count()).select_from(table)) for name, table in CONTENT_TABLES.items()}


def expected_counts(root: Path = CONTENT_DIR) -> dict[str, int]:
    projects = section_files("projects", root)
    news = section_files("news", root)
    disclosures = section_files("disclosures", root)
    return {
        "settings": 1,
        "pages": len(section_files("pages", root)),
        "projects": len(projects),
        "project_updates": sum(len(project.meta.get("updates") or []) for project in projects),
        "funds": len(section_files("funds", root)),
        "news": len(news),
        "news_projects": sum(len(post.meta.get("projects") or []) for post in news),
        "disclosures": len(disclosures),
        "disclosure_revisions": len(disclosures),
        "ledger": len(ledger_entries(root)),
        "opportunities": len(section_files("volunteers", root)),
    }


def rewrite(path: Path, old: str, new: str, *, after: str | None = None) -> None:
    """Replace ``old`` once (in the part of the file after ``after``, when given)."""
    text = path.read_text(encoding="utf-8")
    head, tail = ("", text) if after is None else (text[: text.index(after)], text[text.index(after):])
    assert tail.count(old) >= 1, f"{old!r} not found in {path}"
    path.write_text(head + tail.replace(old, new, 1), encoding="utf-8")


def project(slug: str) -> Project:
    return db.session.scalars(select(Project).where(Project.slug == slug)).one()


def test_loading_the_demo_set_stores_one_record_per_file_and_every_ledger_line(app):
    report = load_content(CONTENT_DIR)

    assert report.ok, [str(error) for error in report.errors]
    expected = expected_counts()
    assert row_counts() == expected
    assert report.skipped == [] and report.updated == [] and report.unchanged == []
    records_from_files = sum(expected[name] for name in expected if name not in ("news_projects", "disclosure_revisions"))
    assert len(report.created) == records_from_files

    entries = {entry["voucher"]: entry for entry in ledger_entries()}
    stored = {entry.voucher_no: entry for entry in db.session.scalars(select(LedgerEntry))}
    assert stored.keys() == entries.keys()
    projects = {item.id: item.slug for item in db.session.scalars(select(Project))}
    for voucher, entry in entries.items():
        line = stored[voucher]
        assert (line.kind.value, line.amount_fen) == (entry["kind"], fen(entry["amount"])), voucher
        assert projects.get(line.project_id) == entry.get("project"), voucher
        assert line.voided is bool(entry.get("void_reason")), voucher
        assert line.void_reason == entry.get("void_reason", ""), voucher
    assert any(line.voided for line in stored.values()), "the demo shows one voided line and its correction"
    zhumeng = source("projects", "zhumeng-weilai-teji").meta
    assert project("zhumeng-weilai-teji").budget_fen == fen(zhumeng["budget"])
    assert db.session.get(SiteSettings, 1).org_name == settings()["org_name"]


def test_loading_twice_changes_nothing(app, demo):
    counts_after_first = row_counts()
    stamps_after_first = {page.slug: (page.updated_at, page.published_at) for page in db.session.scalars(select(Page))}

    second = load_content(CONTENT_DIR)

    assert second.ok
    assert second.created == []
    assert second.updated == []
    assert second.skipped == []
    assert sorted(second.unchanged) == sorted(demo.created)
    assert row_counts() == counts_after_first
    db.session.expire_all()
    assert {page.slug: (page.updated_at, page.published_at) for page in db.session.scalars(select(Page))} == stamps_after_first


def test_a_record_edited_by_staff_is_not_overwritten_when_its_file_changes(app, demo, content_copy):
    edited = project("zhumeng-weilai-teji")
    edited.title = "“筑梦未来”项目（工作人员已修改）"
    db.session.commit()
    original_summary = edited.summary
    rewrite(content_copy / "projects" / "zhumeng-weilai-teji.md", "summary: ", "summary: 文件里的新摘要。")

    report = load_content(content_copy)

    assert report.ok
    assert any(line.startswith("project zhumeng-weilai-teji:") for line in report.skipped), report.skipped
    assert "project zhumeng-weilai-teji" not in report.updated
    db.session.expire_all()
    kept = project("zhumeng-weilai-teji")
    assert kept.title == "“筑梦未来”项目（工作人员已修改）"
    assert kept.summary == original_summary


def test_an_unedited_record_whose_file_changed_is_updated(app, demo, content_copy):
    rewrite(content_copy / "projects" / "cishan-jiuzhu.md", "summary: ", "summary: 更新后的摘要：")

    report = load_content(content_copy)

    assert report.ok
    assert report.updated == ["project cishan-jiuzhu"]
    assert report.skipped == []
    db.session.expire_all()
    assert project("cishan-jiuzhu").summary.startswith("更新后的摘要：")
    assert project("cishan-jiuzhu").summary.endswith(source("projects", "cishan-jiuzhu").meta["summary"])


def test_a_published_disclosure_whose_file_changed_is_kept_and_reported(app, demo, content_copy):
    slug = "panyu-2024-q4-xiangmu-baogao"
    before = db.session.scalars(select(Disclosure).where(Disclosure.slug == slug)).one().body_md
    path = content_copy / "disclosures" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n悄悄加上的一句话。\n", encoding="utf-8")

    report = load_content(content_copy)

    assert any(line.startswith(f"disclosure {slug}:") for line in report.skipped), report.skipped
    db.session.expire_all()
    assert db.session.scalars(select(Disclosure).where(Disclosure.slug == slug)).one().body_md == before


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("source: 番禺区慈善会", 'source: "番禺区慈善会', 4),
        ("source: 番禺区慈善会", "source: 番禺区慈善会\n  extra: 缩进错误", 5),
    ],
    ids=["unclosed-quote-on-line-4", "bad-indentation-on-line-5"],
)
def test_a_file_with_malformed_front_matter_is_reported_by_name_and_line_and_loads_nothing(
    app, content_copy, old, new, line
):
    broken = content_copy / "news" / "jiankangxing-xietiaohui.md"
    rewrite(broken, old, new)

    report = load_content(content_copy)

    assert len(report.errors) == 1, [str(error) for error in report.errors]
    error = report.errors[0]
    assert error.path == "content/news/jiankangxing-xietiaohui.md"
    assert error.line == line, f"reported line {error.line}, the problem is on line {line}: {error}"
    assert str(error).startswith(f"content/news/jiankangxing-xietiaohui.md:{line}: ")
    assert db.session.scalars(select(NewsPost).where(NewsPost.slug == "jiankangxing-xietiaohui")).first() is None
    expected = expected_counts()
    broken_links = len(source("news", "jiankangxing-xietiaohui").meta["projects"])
    assert row_counts() == {**expected, "news": expected["news"] - 1, "news_projects": expected["news_projects"] - broken_links}


@pytest.mark.parametrize(
    ("old", "new", "mentioned"),
    [
        ('amount: "100000.00"', 'amount: "12.345"', "12.345"),
        ("fund: panyu-cishan-jijin", "fund: no-such-fund", "no-such-fund"),
    ],
    ids=["three-decimals", "unknown-fund"],
)
def test_a_ledger_file_with_one_bad_entry_loads_none_of_its_entries(app, content_copy, old, new, mentioned):
    ledger_file = content_copy / "ledger" / "2025-01.md"
    vouchers_in_file = [entry["voucher"] for entry in source("ledger", "2025-01", content_copy).meta["entries"]]
    rewrite(ledger_file, old, new, after='voucher: "PY-2025-0002"')

    report = load_content(content_copy)

    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.path == "content/ledger/2025-01.md"
    assert mentioned in error.message
    pointed_at = ledger_file.read_text(encoding="utf-8").splitlines()[error.line - 1]
    assert "PY-2025-0002" in pointed_at or mentioned in pointed_at, f"line {error.line} is {pointed_at!r}"
    stored = set(db.session.scalars(select(LedgerEntry.voucher_no)))
    assert stored.isdisjoint(vouchers_in_file)
    assert len(stored) == len(ledger_entries()) - len(vouchers_in_file)


def test_a_changed_ledger_line_is_never_altered_and_is_reported_as_skipped(app, demo, content_copy):
    rewrite(content_copy / "ledger" / "2025-01.md", 'amount: "2000.00"', 'amount: "2500.00"')

    report = load_content(content_copy)

    assert report.ok
    skipped = [line for line in report.skipped if line.startswith("ledger PY-2025-0001:")]
    assert len(skipped) == 1 and "permanent" in skipped[0]
    assert report.updated == []
    db.session.expire_all()
    line = db.session.scalars(select(LedgerEntry).where(LedgerEntry.voucher_no == "PY-2025-0001")).one()
    assert line.amount_fen == 200_000


def test_cli_content_load_prints_what_it_did_and_the_summary(app, runner, content_copy):
    result = runner.invoke(args=["content", "load", "--path", str(content_copy)])

    assert result.exit_code == 0, result.output
    expected = expected_counts(content_copy)
    created = sum(expected[name] for name in expected if name not in ("news_projects", "disclosure_revisions"))
    assert f"created {created}, updated 0, unchanged 0, skipped 0, files with errors 0" in result.output
    assert "created   project zhumeng-weilai-teji" in result.output
    assert "created   ledger PY-2025-0002" in result.output
    assert row_counts()["ledger"] == expected["ledger"]


def test_cli_content_load_exits_non_zero_and_names_the_broken_file(app, runner, content_copy):
    rewrite(content_copy / "ledger" / "2025-01.md", 'amount: "100000.00"', 'amount: "12.345"')

    result = runner.invoke(args=["content", "load", "--path", str(content_copy)])

    assert result.exit_code != 0
    assert "ERROR" in result.output
    assert "content/ledger/2025-01.md:" in result.output
    assert "files with errors 1" in result.output


def test_cli_content_load_reports_a_missing_folder(app, runner, tmp_path):
    result = runner.invoke(args=["content", "load", "--path", str(tmp_path / "no-such-folder")])

    assert result.exit_code != 0
    assert "content directory not found" in result.output


@pytest.mark.parametrize(
    ("path", "old", "new", "line", "mentioned"),
    [
        ("news/jiankangxing-xietiaohui.md", "source: 番禺区慈善会", "source: 番禺区\x00慈善会", 4, "U+0000"),
        ("news/jiankangxing-xietiaohui.md", "source: 番禺区慈善会", "source: 番禺区\x1b[31m慈善会", 4, "U+001B"),
        ("projects/fuliyuan-zhinenghua.md", "beneficiaries: 136", "beneficiaries: 99999999999999999999", 8,
         "beneficiaries"),
        ("projects/cishan-fuwu-zhendi.md", "start_date: 2024-10-01", "start_date: 9999-12-31", 6, "start_date"),
        ("projects/cishan-jiuzhu.md", 'budget: "3500000.00"', 'budget: "99999999999999999999"', 8, "budget"),
    ],
    ids=["nul", "escape-sequence", "20-digit-count", "year-9999", "20-digit-budget"],
)
def test_a_file_with_a_control_character_or_an_impossible_number_is_refused_by_name_and_line(
    app, content_copy, path, old, new, line, mentioned
):
    rewrite(content_copy / path, old, new)

    report = load_content(content_copy)

    section, name = path.split("/")
    slug = name.removesuffix(".md")
    own = [error for error in report.errors if error.path == f"content/{path}"]
    assert len(own) == 1, [str(error) for error in report.errors]
    assert own[0].line == line, str(own[0])
    assert mentioned in own[0].message
    # other files only miss the refused item (ledger lines of a project that was not loaded)
    assert all(slug in error.message for error in report.errors if error not in own)
    model = NewsPost if section == "news" else Project
    assert db.session.scalars(select(model).where(model.slug == slug)).first() is None


def test_tabs_and_windows_line_breaks_in_a_file_are_fine(app, content_copy):
    path = content_copy / "news" / "jiankangxing-xietiaohui.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n").replace("12月19日上午，“".encode(), "12月19日\t上午，“".encode()))

    report = load_content(content_copy)

    assert report.ok, [str(error) for error in report.errors]
    assert "\t上午" in db.session.scalars(select(NewsPost.body_md).where(NewsPost.slug == "jiankangxing-xietiaohui")).one()
