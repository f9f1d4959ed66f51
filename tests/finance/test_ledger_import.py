"""Importing ledger lines from .xlsx and .csv: every row is checked, and all rows go in or none do."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from factories import line_count, make_entry, make_project
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from charity_site.extensions import db
from charity_site.finance import ledger_import, money
from charity_site.models import AuditLog, CounterpartyType, EntryKind, LedgerEntry

HEADERS = ["日期", "收支", "金额（元）", "基金", "项目", "类别", "渠道", "对方", "对方类型", "凭证号", "摘要", "备注"]


# ---- sample files ----------------------------------------------------------------------------------------

def sample_rows(count: int, fund: str = "番禺区慈善基金", start: int = 1) -> list[list]:
    """``count`` valid rows in the template's column order: odd rows income, even rows expense."""
    rows = []
    for number in range(start, start + count):
        income = number % 2 == 1
        rows.append([
            f"2024-{(number % 12) + 1:02d}-{(number % 28) + 1:02d}", "收入" if income else "支出",
            f"{number * 10 + 1},{number % 1000:03d}.{number % 100:02d}", fund, "",
            "捐赠收入" if income else "慰问", "银行转账", f"捐赠人{number}" if income else "某某超市", "个人" if income else "机构",
            f"PZ-{number:05d}", f"第{number}笔 重阳敬老", "",
        ])
    return rows


def expected_fen(rows: list[list], kind: str) -> int:
    return sum(int(Decimal(row[2].replace(",", "")) * 100) for row in rows if row[1] == kind)


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig", headers=HEADERS, title: str | None = None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    if title:
        writer.writerow([title])
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], headers=HEADERS, title: str | None = None, blank_tail: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for _ in range(blank_tail):
        sheet.append([None] * len(headers))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def preview_of(tmp_path, name: str, data: bytes, mapping=None) -> ledger_import.ImportPreview:
    return ledger_import.build_preview(write(tmp_path, name, data), name.rsplit(".", 1)[1], name, mapping)


@pytest.fixture
def import_dir(app, tmp_path):
    folder = tmp_path / "imports"
    app.config["LEDGER_IMPORT_DIR"] = str(folder)
    return folder


# ---- parsing cells ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2024-10-01", date(2024, 10, 1)),
    ("2024/10/1", date(2024, 10, 1)),
    ("2024.10.01", date(2024, 10, 1)),
    ("2024年10月1日", date(2024, 10, 1)),
    ("20241001", date(2024, 10, 1)),
    (20241001, date(2024, 10, 1)),
    ("2024-10-01 00:00:00", date(2024, 10, 1)),
    (datetime(2024, 10, 1, 0, 0), date(2024, 10, 1)),
    (45566, date(2024, 10, 1)),  # an Excel serial number in a cell without a date format
    ("2024-02-30", None),
    ("10/01/2024", None),
    ("昨天", None),
    ("", None),
])
def test_dates_in_the_forms_staff_write_them(value, expected):
    assert ledger_import.parse_date(value) == expected


@pytest.mark.parametrize("value, fen", [
    ("1,234.50", 123_450), ("¥1234.5", 123_450), ("￥ 1 234.50 元", 123_450), ("1234", 123_400),
    (1234, 123_400), (1234.56, 123_456), (0.3, 30), (19.99, 1999), ("0.01", 1),
])
def test_amounts_become_exact_fen(value, fen):
    assert ledger_import.parse_amount(value) == (fen, None)


@pytest.mark.parametrize("value", ["1234.567", "12,34a", "一百元", 0.1 + 0.2, "(1,234.00)"])
def test_unreadable_amounts_are_problems(value):
    fen, problem = ledger_import.parse_amount(value)
    assert fen is None and problem


# ---- the preview ------------------------------------------------------------------------------------------

def test_one_bad_row_among_good_ones_imports_nothing_and_names_the_row(app, tmp_path, fund, finance):
    rows = sample_rows(6)
    rows[3][2] = "-300.00"  # spreadsheet row 7: title in 1, blank 2, headings in 3, data from 4
    preview = preview_of(tmp_path, "2024年收支.xlsx", xlsx_bytes(rows, title="2024年收支明细表"))

    assert preview.header_row == 3
    assert not preview.ok
    assert [(problem.row, problem.column) for problem in preview.problems] == [(7, "C列：金额（元）")]
    assert "大于零" in preview.problems[0].message
    with pytest.raises(ledger_import.ImportRefused):
        ledger_import.import_rows(preview, finance)
    assert line_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_every_problem_of_every_row_is_listed(app, tmp_path, fund, finance):
    project = make_project(title="助学圆梦")
    db.session.commit()
    rows = sample_rows(5)
    rows[0][0] = "2024-13-01"
    rows[1][3] = "不存在的基金"
    rows[2][4] = "不存在的项目"
    rows[3][5] = "吃喝"
    rows[3][6] = "信用卡"
    rows[4][1] = "退款"
    rows[4][10] = ""
    rows[4][4] = project.title
    preview = preview_of(tmp_path, "bad.csv", csv_bytes(rows))

    found = {(problem.row, problem.column.split("列")[0]) for problem in preview.problems}
    assert found == {(2, "A"), (3, "D"), (4, "E"), (5, "F"), (5, "G"), (6, "B"), (6, "K")}
    messages = " ".join(problem.message for problem in preview.problems)
    assert "不存在的基金" in messages and "不存在的项目" in messages and "吃喝" in messages
    assert preview.problem_rows == 5 and not preview.ok


def test_a_problem_repeated_on_many_rows_is_summed_up_once_with_its_rows(app, tmp_path, fund, finance):
    rows = sample_rows(40)
    for index in list(range(0, 30)) + [33, 35]:
        rows[index][3] = "大岭村基金"  # a fund name the site does not know, on 32 rows
    rows[38][0] = "2024-02-30"
    preview = preview_of(tmp_path, "大岭村.csv", csv_bytes(rows))

    groups = preview.problem_groups()
    assert [(len(group.rows), group.column.split("列")[0]) for group in groups] == [(32, "D"), (1, "A")]
    assert "大岭村基金" in groups[0].message
    assert groups[0].row_ranges() == ([(2, 31), (35, 35), (37, 37)], False)
    assert groups[0].row_ranges(limit=2) == ([(2, 31), (35, 35)], True)
    assert len(preview.problems) == 33  # the full list still names every row


def test_gbk_csv_keeps_the_chinese_text(app, tmp_path, fund, finance):
    rows = sample_rows(3)
    rows[0][7] = "广州禺南建材有限公司"
    rows[0][8] = "机构"
    data = csv_bytes(rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    preview = preview_of(tmp_path, "gbk.csv", data)
    assert preview.ok, preview.problems
    assert ledger_import.import_rows(preview, finance) == 3

    stored = db.session.scalars(select(LedgerEntry).where(LedgerEntry.voucher_no == "PZ-00001")).one()
    assert stored.counterparty == "广州禺南建材有限公司"
    assert stored.counterparty_type is CounterpartyType.ORGANISATION
    assert stored.summary == "第1笔 重阳敬老" and stored.category == "捐赠收入"


def test_utf8_csv_with_bom_and_a_title_row(app, tmp_path, fund, finance):
    rows = sample_rows(4)
    data = csv_bytes(rows, encoding="utf-8-sig", title="番禺区慈善会2024年收支明细")
    assert data.startswith(b"\xef\xbb\xbf")
    preview = preview_of(tmp_path, "bom.csv", data)
    assert preview.header_row == 2 and preview.ok, preview.problems
    assert preview.income_fen == expected_fen(rows, "收入")
    assert preview.expense_fen == expected_fen(rows, "支出")
    ledger_import.import_rows(preview, finance)
    totals = money.ledger_totals()
    assert (totals.income_fen, totals.expense_fen) == (expected_fen(rows, "收入"), expected_fen(rows, "支出"))


def test_xlsx_with_excel_dates_numbers_and_separate_income_expense_columns(app, tmp_path, fund, finance):
    headers = ["业务日期", "凭证编号", "摘要", "收入（元）", "支出（元）", "基金名称", "用途", "收款方", "备注"]
    rows = [
        [datetime(2024, 10, 1), "A-1", "重阳捐赠", 5000, None, "番禺区慈善基金", "捐赠收入", "张三", ""],
        [datetime(2024, 10, 12), 1002, "购买慰问品", 0, 1234.56, "panyu-cishan-jijin", "慰问", "某某超市", "发票已附"],
        ["2024年10月15日", "A-3", "困难家庭救助", "", "2,000.00", "番禺区慈善基金", "救助", "李四", ""],
    ]
    preview = preview_of(tmp_path, "excel.xlsx", xlsx_bytes(rows, headers=headers, blank_tail=30))
    assert preview.ok, preview.problems
    assert len(preview.rows) == 3  # blank formatted rows at the end are skipped
    assert ledger_import.import_rows(preview, finance) == 3

    lines = {line.voucher_no: line for line in db.session.scalars(select(LedgerEntry))}
    assert lines["A-1"].kind is EntryKind.INCOME and lines["A-1"].amount_fen == 500_000
    assert lines["A-1"].occurred_on == date(2024, 10, 1)
    assert lines["1002"].kind is EntryKind.EXPENSE and lines["1002"].amount_fen == 123_456
    assert lines["1002"].note == "发票已附" and lines["1002"].fund_id == fund.id
    assert lines["A-3"].amount_fen == 200_000 and lines["A-3"].occurred_on == date(2024, 10, 15)
    assert lines["A-1"].counterparty_type is CounterpartyType.PERSON  # no type column: masked as a person


def test_filling_both_income_and_expense_is_a_problem(app, tmp_path, fund):
    headers = ["日期", "摘要", "收入", "支出", "基金", "类别"]
    preview = preview_of(tmp_path, "both.csv", csv_bytes([["2024-10-01", "x", "10", "20", "番禺区慈善基金", "慰问"]],
                                                        headers=headers))
    assert [problem.row for problem in preview.problems] == [2]
    assert "不能" in preview.problems[0].message or "只" in preview.problems[0].message


def test_duplicate_vouchers_in_the_ledger_and_in_the_file_are_refused(app, tmp_path, fund, finance):
    make_entry(fund, 100, voucher_no="PZ-00002")
    db.session.commit()
    rows = sample_rows(4)
    rows[3][9] = "PZ-00001"
    preview = preview_of(tmp_path, "dup.csv", csv_bytes(rows))

    problems = {problem.row: problem.message for problem in preview.problems}
    assert set(problems) == {3, 5}
    assert "PZ-00002" in problems[3] and "已" in problems[3]
    assert "PZ-00001" in problems[5] and "2" in problems[5]  # names the row where it first appears
    with pytest.raises(ledger_import.ImportRefused):
        ledger_import.import_rows(preview, finance)
    assert line_count() == 1


def test_a_file_without_headings_says_so(app, tmp_path, fund):
    preview = preview_of(tmp_path, "none.csv", csv_bytes(sample_rows(3), headers=["a", "b", "c"]))
    assert not preview.ok and preview.problems[0].row is None
    assert "表头" in preview.problems[0].message or "标题" in preview.problems[0].message


def test_one_value_for_every_row_when_the_file_has_no_column(app, tmp_path, fund, finance):
    """A list of donations: date, amount, donor and summary only; kind, fund and category chosen once."""
    headers = ["日期", "金额", "捐赠方", "摘要"]
    rows = [["2024-10-01", "100", "王五", "网络捐赠"], ["2024-10-02", "200.5", "赵六", "网络捐赠"]]
    path = write(tmp_path, "donations.csv", csv_bytes(rows, headers=headers))

    detected = ledger_import.build_preview(path, "csv", "donations.csv")
    assert not detected.ok
    assert {problem.column for problem in detected.problems} >= {"收支", "基金", "类别"} or len(detected.problems) == 3

    mapping = {**detected.mapping, "kind": "v:收入", "fund": f"v:{fund.id}", "category": "v:捐赠收入"}
    preview = ledger_import.build_preview(path, "csv", "donations.csv", mapping)
    assert preview.ok, preview.problems
    ledger_import.import_rows(preview, finance)
    assert money.ledger_totals(LedgerEntry.fund_id == fund.id).income_fen == 30_050


def test_five_thousand_rows_go_in_together_or_not_at_all(app, tmp_path, fund, finance):
    rows = sample_rows(5000)
    rows[-1][0] = "not a date"
    preview = preview_of(tmp_path, "big.xlsx", xlsx_bytes(rows))
    assert [problem.row for problem in preview.problems] == [5001]
    with pytest.raises(ledger_import.ImportRefused):
        ledger_import.import_rows(preview, finance)
    assert line_count() == 0

    rows[-1][0] = "2024-12-31"
    preview = preview_of(tmp_path, "big.xlsx", xlsx_bytes(rows))
    assert preview.ok
    assert ledger_import.import_rows(preview, finance) == 5000
    assert line_count() == 5000
    assert money.ledger_totals().income_fen == expected_fen(rows, "收入")
    audits = list(db.session.scalars(select(AuditLog).where(AuditLog.action == "import")))
    assert len(audits) == 1 and audits[0].changes["rows"] == [None, 5000]
    assert audits[0].object_label == "big.xlsx"


def test_a_database_refusal_rolls_back_every_row(app, tmp_path, fund, finance):
    """Someone records one of the file's voucher numbers between the preview and the import."""
    preview = preview_of(tmp_path, "race.csv", csv_bytes(sample_rows(50)))
    assert preview.ok
    make_entry(fund, 100, voucher_no="PZ-00050")
    db.session.commit()
    with pytest.raises(ledger_import.ImportProblem):
        ledger_import.import_rows(preview, finance)
    assert line_count() == 1


# ---- stored uploads ---------------------------------------------------------------------------------

def upload(data: bytes, filename: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=filename)


def test_stored_upload_is_read_again_and_removed_after_import(app, fund, finance, import_dir):
    token = ledger_import.store_upload(upload(csv_bytes(sample_rows(3)), "十月.csv"), finance)
    assert ledger_import.valid_token(token)
    stored = ledger_import.load_upload(token)
    assert stored.filename == "十月.csv" and stored.path.parent == import_dir

    assert ledger_import.import_upload(stored, None, finance).line_count == 3
    assert ledger_import.load_upload(token) is None
    assert list(import_dir.iterdir()) == []
    with pytest.raises(ledger_import.ImportProblem) as again:
        ledger_import.import_upload(stored, None, finance)
    assert again.value.status == 404
    assert line_count() == 3


def test_a_refused_import_keeps_the_file_for_another_try(app, fund, finance, import_dir):
    rows = sample_rows(3)
    rows[1][2] = "abc"
    token = ledger_import.store_upload(upload(csv_bytes(rows), "bad.csv"), finance)
    with pytest.raises(ledger_import.ImportRefused):
        ledger_import.import_upload(ledger_import.load_upload(token), None, finance)
    assert ledger_import.load_upload(token) is not None
    assert line_count() == 0


@pytest.mark.parametrize("filename, data, status", [
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"0" * 100, 415),
    ("notes.txt", b"hello", 415),
    ("fake.xlsx", b"just text, not a workbook", 415),
    ("empty.csv", b"", 400),
    ("binary.csv", b"\x00\x01\x02" * 10, 415),
])
def test_other_files_are_refused(app, finance, import_dir, filename, data, status):
    with pytest.raises(ledger_import.ImportProblem) as refused:
        ledger_import.store_upload(upload(data, filename), finance)
    assert refused.value.status == status and refused.value.message
    assert not import_dir.exists() or list(import_dir.iterdir()) == []


def test_a_file_over_the_size_limit_is_refused(app, finance, import_dir):
    app.config["MAX_UPLOAD_BYTES"] = 1000
    with pytest.raises(ledger_import.ImportProblem) as refused:
        ledger_import.store_upload(upload(csv_bytes(sample_rows(40)), "big.csv"), finance)
    assert refused.value.status == 413


@pytest.mark.parametrize("token", ["../secret_key", "..%2Fsecret_key", "a" * 31, "a" * 33, "a/b" * 11, "", "a.b" * 11])
def test_malformed_tokens_find_nothing(app, import_dir, token):
    (import_dir / ".." / "secret_key").resolve().write_text("x")
    assert ledger_import.load_upload(token) is None


def test_templates_import_cleanly_once_the_example_fund_exists(app, tmp_path, fund, finance):
    for name, data in (("t.xlsx", ledger_import.template_xlsx()), ("t.csv", ledger_import.template_csv())):
        preview = preview_of(tmp_path, name, data)
        assert preview.ok, (name, preview.problems)
        assert [row.values["kind"] for row in preview.rows] == [EntryKind.INCOME, EntryKind.EXPENSE]
        assert preview.income_fen == 500_000 and preview.expense_fen == 123_450


@pytest.mark.parametrize("fund_choice", ["v:²", "v:99999999999999999999", "v:-1", "c:²", "c:99999999999999999999"])
def test_a_mapping_with_an_impossible_column_or_fund_is_ignored_not_a_failure(app, tmp_path, fund, fund_choice):
    path = write(tmp_path, "ledger.csv", csv_bytes(sample_rows(2)))
    detected = ledger_import.build_preview(path, "csv", "ledger.csv")

    preview = ledger_import.build_preview(path, "csv", "ledger.csv", {**detected.mapping, "fund": fund_choice})

    assert "fund" not in preview.mapping
    assert not preview.ok  # the fund is missing now, which the preview says


def test_control_characters_in_cells_become_spaces(app, tmp_path, fund, finance):
    rows = sample_rows(1)
    rows[0][10] = "第一行\x0b第二行\x1f"  # Excel keeps vertical tabs in cells
    path = write(tmp_path, "ledger.csv", csv_bytes(rows))

    preview = ledger_import.build_preview(path, "csv", "ledger.csv")
    assert preview.ok, preview.problems
    ledger_import.import_rows(preview, finance)

    assert db.session.scalars(select(LedgerEntry.summary)).one() == "第一行 第二行"
