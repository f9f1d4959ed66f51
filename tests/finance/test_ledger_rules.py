"""One rulebook for a ledger line: the staff form, the spreadsheet import and the content loader refuse the
same bad line with the same message (finance.rules), without HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import yaml
from factories import line_count, make_entry
from sqlalchemy import select

from charity_site.core.formatting import MAX_AMOUNT_FEN, local_today
from charity_site.demo_content.loader import load_content
from charity_site.extensions import db
from charity_site.finance import ledger, ledger_import, rules
from charity_site.models import LedgerEntry

GOOD = {"kind": "expense", "occurred_on": date(2024, 10, 12), "amount_fen": 123_450, "category": "慰问",
        "channel": "银行转账", "counterparty": "某某超市", "counterparty_type": "organisation",
        "voucher_no": "ZC-2024-001", "summary": "购买重阳节慰问品", "note": ""}

BAD_LINES = {
    "amount-zero": ({"amount_fen": 0}, "amount_fen"),
    "amount-negative": ({"amount_fen": -30_000}, "amount_fen"),
    "amount-too-large": ({"amount_fen": MAX_AMOUNT_FEN + 1}, "amount_fen"),
    "date-in-the-future": ({"occurred_on": "tomorrow"}, "occurred_on"),
    "date-before-1990": ({"occurred_on": date(1989, 12, 31)}, "occurred_on"),
    "category-missing": ({"category": ""}, "category"),
    "category-unknown": ({"category": "吃喝"}, "category"),
    "category-of-income-on-an-expense": ({"category": "捐赠收入"}, "category"),
    "channel-unknown": ({"channel": "信用卡"}, "channel"),
    "summary-missing": ({"summary": ""}, "summary"),
    "summary-too-long": ({"summary": "长" * 256}, "summary"),
    "counterparty-too-long": ({"counterparty": "名" * 201}, "counterparty"),
    "voucher-too-long": ({"voucher_no": "V" * 61}, "voucher_no"),
    "note-too-long": ({"note": "备" * 2001}, "note"),
}


def bad_line(name: str) -> dict:
    overrides, _field = BAD_LINES[name]
    line = {**GOOD, **overrides}
    if line["occurred_on"] == "tomorrow":
        line["occurred_on"] = local_today() + timedelta(days=1)
    return line


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def through_the_form(line: dict, fund) -> str:
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.record_entry({**line, "fund_id": fund.id, "project_id": None})
    return refused.value.message


def through_the_import(line: dict, fund, tmp_path) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["日期", "收支", "金额（元）", "基金", "类别", "渠道", "对方", "对方类型", "凭证号", "摘要", "备注"])
    writer.writerow([line["occurred_on"].isoformat(), "支出" if line["kind"] == "expense" else "收入",
                     yuan(line["amount_fen"]), fund.title, line["category"], line["channel"], line["counterparty"],
                     "机构" if line["counterparty_type"] == "organisation" else "个人", line["voucher_no"],
                     line["summary"], line["note"]])
    path = tmp_path / "line.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    preview = ledger_import.build_preview(path, "csv", "line.csv")
    assert not preview.ok
    assert [problem.row for problem in preview.problems] == [2]
    return preview.problems[0].message


def through_the_content_loader(line: dict, fund, tmp_path) -> str:
    entry = {"voucher": line["voucher_no"], "date": line["occurred_on"], "kind": line["kind"],
             "amount": yuan(line["amount_fen"]), "fund": fund.slug, "category": line["category"],
             "channel": line["channel"], "counterparty": line["counterparty"],
             "counterparty_type": line["counterparty_type"], "summary": line["summary"], "note": line["note"]}
    folder = tmp_path / "content" / "ledger"
    folder.mkdir(parents=True)
    front_matter = yaml.safe_dump({"entries": [entry]}, allow_unicode=True, sort_keys=False)
    (folder / "2024.md").write_text(f"---\n{front_matter}---\n", encoding="utf-8")
    report = load_content(tmp_path / "content")
    assert len(report.errors) == 1, [str(error) for error in report.errors]
    return report.errors[0].message


@pytest.mark.parametrize("name", list(BAD_LINES))
def test_the_same_bad_line_gets_the_same_message_from_the_form_the_import_and_the_content_loader(
    app, fund, tmp_path, name
):
    line = bad_line(name)
    expected = rules.check_line({**line, "fund_id": fund.id}).problems

    from_form = through_the_form(line, fund)
    from_import = through_the_import(line, fund, tmp_path)
    from_loader = through_the_content_loader(line, fund, tmp_path)

    assert [problem.field for problem in expected] == [BAD_LINES[name][1]]
    message = expected[0].message
    assert from_form == message
    assert from_import == message
    assert from_loader.startswith(f"entry {line['voucher_no']}: ") and from_loader.endswith(message)
    assert line_count() == 0


def test_the_messages_are_the_sites_chinese_ones(app, fund):
    problems = rules.check_line({**GOOD, "fund_id": fund.id, "amount_fen": 0, "summary": ""}).problems
    assert [(problem.field, problem.message) for problem in problems] == [
        ("amount_fen", "金额必须大于零。"), ("summary", "请填写摘要。")]


def test_a_voucher_number_already_in_the_ledger_gets_the_same_message_from_the_form_and_the_import(
    app, fund, tmp_path
):
    make_entry(fund, 100, voucher_no=GOOD["voucher_no"])
    db.session.commit()

    from_form = through_the_form(dict(GOOD), fund)
    from_import = through_the_import(dict(GOOD), fund, tmp_path)

    assert from_form == from_import == rules.voucher_taken_message(GOOD["voucher_no"])
    assert "ZC-2024-001" in from_form


def test_the_content_loader_takes_a_good_line_and_keeps_it_on_the_next_load(app, fund, tmp_path):
    """The loader keys lines by voucher number: its own line coming back is not a voucher clash."""
    folder = tmp_path / "content" / "ledger"
    folder.mkdir(parents=True)
    entry = {"voucher": GOOD["voucher_no"], "date": GOOD["occurred_on"], "kind": "expense", "amount": "1234.50",
             "fund": fund.slug, "category": "慰问", "summary": GOOD["summary"]}
    front_matter = yaml.safe_dump({"entries": [entry]}, allow_unicode=True)
    (folder / "2024.md").write_text(f"---\n{front_matter}---\n", encoding="utf-8")

    first = load_content(tmp_path / "content")
    second = load_content(tmp_path / "content")

    assert first.ok and first.created == ["ledger ZC-2024-001"]
    assert second.ok and second.unchanged == ["ledger ZC-2024-001"]
    stored = db.session.scalars(select(LedgerEntry)).one()
    assert (stored.amount_fen, stored.channel) == (123_450, "")  # the channel may be left out, as on the form
