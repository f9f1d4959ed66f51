"""The ledger workspace over HTTP: list, record, void, correct and import; no route deletes a line."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from conftest import configured_app
from factories import line_count, login, make_entry, make_fund, make_project, make_user
from openpyxl import load_workbook
from sqlalchemy import func, select
from test_ledger_import import csv_bytes, sample_rows, xlsx_bytes

from charity_site.extensions import db
from charity_site.finance import money
from charity_site.models import AuditLog, EntryKind, LedgerEntry


@pytest.fixture
def finance_client(app, client, finance, tmp_path):
    app.config["LEDGER_IMPORT_DIR"] = str(tmp_path / "imports")
    assert login(client, finance.email).status_code == 302
    return client


def entry_form(fund, **overrides) -> dict:
    return {"kind": "expense", "occurred_on": "2024-10-12", "amount_fen": "1,234.50", "fund_id": str(fund.id),
            "project_id": "", "category": "慰问", "channel": "银行转账", "counterparty": "某某超市",
            "counterparty_type": "organisation", "voucher_no": "ZC-1", "summary": "购买重阳节慰问品", "note": "",
            **overrides}


def page_text(response) -> str:
    return response.get_data(as_text=True)


# ---- permanence --------------------------------------------------------------------------------------

def test_no_route_under_admin_ledger_deletes_or_edits(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin/ledger")]
    assert rules, "the ledger workspace has no routes"
    for rule in rules:
        assert "DELETE" not in rule.methods and "PUT" not in rule.methods and "PATCH" not in rule.methods, rule.rule
        assert "delete" not in rule.endpoint and "edit" not in rule.endpoint, rule.endpoint


# ---- access --------------------------------------------------------------------------------------------

def test_an_editor_is_refused(app, client, fund):
    entry = make_entry(fund, 100)
    db.session.commit()
    make_user("editor@example.org", roles=("editor",))
    login(client, "editor@example.org")
    for url in ("/admin/ledger/", "/admin/ledger/new", f"/admin/ledger/{entry.id}", "/admin/ledger/import",
                "/admin/ledger/import/template.csv"):
        assert client.get(url).status_code == 403, url
    response = client.post("/admin/ledger/new", data=entry_form(fund, voucher_no="X-9"))
    assert response.status_code == 403
    assert line_count() == 1


# ---- the list ------------------------------------------------------------------------------------------

def test_list_filters_and_totals_leave_out_voided_lines(app, finance_client, fund):
    other = make_fund(title="大龙街新水坑村社区慈善基金")
    project = make_project(title="助学圆梦", fund_id=fund.id)
    make_entry(fund, 500_000, EntryKind.INCOME, summary="年度捐赠", voucher_no="SR-1")
    make_entry(fund, 20_000, EntryKind.EXPENSE, summary="助学金发放", project_id=project.id, voucher_no="ZC-1")
    make_entry(fund, 70_000, EntryKind.INCOME, summary="录错的捐赠", voided=True, void_reason="重复登记",
               voucher_no="SR-2")
    make_entry(other, 30_000, EntryKind.INCOME, summary="村民捐款", counterparty="陈大伯", voucher_no="SR-3")
    db.session.commit()

    everything = page_text(finance_client.get("/admin/ledger/"))
    assert all(text in everything for text in ("年度捐赠", "助学金发放", "录错的捐赠", "村民捐款"))
    assert "重复登记" in everything and "<s>¥700.00</s>" in everything
    assert 'data-total="income">¥5,300.00<' in everything  # 5000 + 300, the voided 700 left out

    by_fund = page_text(finance_client.get(f"/admin/ledger/?fund={fund.id}"))
    assert "村民捐款" not in by_fund and 'data-total="income">¥5,000.00<' in by_fund
    assert 'data-total="expense">¥200.00<' in by_fund

    by_project = page_text(finance_client.get(f"/admin/ledger/?project={project.id}"))
    assert "助学金发放" in by_project and "年度捐赠" not in by_project

    voided = page_text(finance_client.get("/admin/ledger/?state=voided"))
    assert "录错的捐赠" in voided and "年度捐赠" not in voided

    search = page_text(finance_client.get("/admin/ledger/?q=陈大伯"))
    assert "村民捐款" in search and "年度捐赠" not in search
    assert "村民捐款" in page_text(finance_client.get("/admin/ledger/?q=SR-3"))

    expense = page_text(finance_client.get("/admin/ledger/?kind=expense"))
    assert "助学金发放" in expense and "年度捐赠" not in expense


def test_list_is_paginated_newest_first(app, finance_client, fund):
    for day in range(1, 29):
        for n in range(2):
            make_entry(fund, 100 + day, summary=f"第{day}日第{n}笔", occurred_on=date(2024, 2, day))
    db.session.commit()
    first = page_text(finance_client.get("/admin/ledger/"))
    assert first.index("第28日") < first.index("第27日")
    assert "第4日第0笔" in first and "第3日第1笔" not in first  # 50 a page: days 28 to 4
    second = page_text(finance_client.get("/admin/ledger/?page=2"))
    assert "第3日第1笔" in second and "第1日第0笔" in second and "第4日第0笔" not in second


def test_empty_ledger_says_what_to_do(app, finance_client):
    text = page_text(finance_client.get("/admin/ledger/"))
    assert "/admin/ledger/new" in text and "/admin/ledger/import" in text


# ---- recording a line ----------------------------------------------------------------------------------

def test_finance_records_a_line(app, finance_client, fund):
    response = finance_client.post("/admin/ledger/new", data=entry_form(fund))
    assert response.status_code == 302
    entry = db.session.scalars(select(LedgerEntry)).one()
    assert response.headers["Location"].endswith(f"/admin/ledger/{entry.id}")
    assert entry.amount_fen == 123_450 and entry.kind is EntryKind.EXPENSE and entry.voucher_no == "ZC-1"
    detail = page_text(finance_client.get(f"/admin/ledger/{entry.id}"))
    assert "¥1,234.50" in detail and "购买重阳节慰问品" in detail and "finance@example.org" in detail


@pytest.mark.parametrize("overrides, field", [
    ({"amount_fen": "0"}, "amount_fen"),
    ({"amount_fen": "12.345"}, "amount_fen"),
    ({"amount_fen": ""}, "amount_fen"),
    ({"summary": ""}, "summary"),
    ({"category": "捐赠收入"}, "category"),
    ({"fund_id": ""}, "fund_id"),
    ({"occurred_on": "2024-13-40"}, "occurred_on"),
])
def test_a_wrong_form_is_refused_next_to_the_field_and_keeps_what_was_typed(app, finance_client, fund, overrides,
                                                                           field):
    response = finance_client.post("/admin/ledger/new", data=entry_form(fund, **overrides))
    assert response.status_code == 400
    text = page_text(response)
    assert f'id="{field}-error"' in text
    assert 'value="购买重阳节慰问品"' in text or field == "summary"
    assert 'value="某某超市"' in text
    assert line_count() == 0


def test_a_voucher_number_cannot_be_used_twice(app, finance_client, fund):
    make_entry(fund, 100, voucher_no="ZC-1")
    db.session.commit()
    response = finance_client.post("/admin/ledger/new", data=entry_form(fund))
    assert response.status_code == 400
    assert 'id="voucher_no-error"' in page_text(response) and "ZC-1" in page_text(response)
    assert line_count() == 1


# ---- voiding and correcting ----------------------------------------------------------------------------

def test_void_needs_a_reason_then_keeps_the_line_struck_through(app, finance_client, fund):
    entry = make_entry(fund, 50_000, EntryKind.INCOME, summary="录错金额的捐赠")
    db.session.commit()
    assert money.ledger_totals().income_fen == 50_000

    confirm = finance_client.get(f"/admin/ledger/{entry.id}/void")
    assert confirm.status_code == 200 and 'name="reason"' in page_text(confirm)
    refused = finance_client.post(f"/admin/ledger/{entry.id}/void", data={"reason": "  "})
    assert refused.status_code == 400 and 'id="reason-error"' in page_text(refused)
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).voided is False

    done = finance_client.post(f"/admin/ledger/{entry.id}/void", data={"reason": "金额录入错误"})
    assert done.status_code == 302
    db.session.expire_all()
    line = db.session.get(LedgerEntry, entry.id)
    assert line.voided and line.void_reason == "金额录入错误" and line.amount_fen == 50_000
    assert money.ledger_totals().income_fen == 0

    detail = page_text(finance_client.get(f"/admin/ledger/{entry.id}"))
    assert "金额录入错误" in detail and f"/admin/ledger/new?corrects={entry.id}" in detail
    assert f"/admin/ledger/{entry.id}/void" not in detail
    again = finance_client.post(f"/admin/ledger/{entry.id}/void", data={"reason": "再作废一次"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).void_reason == "金额录入错误"
    assert db.session.scalar(select(func.count()).where(AuditLog.action == "void")) == 1


def test_a_correcting_line_is_prefilled_from_the_voided_one(app, finance_client, fund):
    entry = make_entry(fund, 12_345, EntryKind.EXPENSE, summary="慰问困难长者", counterparty="某某超市",
                       category="慰问", voucher_no="ZC-7")
    db.session.commit()
    finance_client.post(f"/admin/ledger/{entry.id}/void", data={"reason": "金额错误"})

    form = page_text(finance_client.get(f"/admin/ledger/new?corrects={entry.id}"))
    assert 'value="慰问困难长者"' in form and 'value="123.45"' in form and 'value="某某超市"' in form
    assert 'value="ZC-7"' not in form  # the voided line keeps its voucher number

    response = finance_client.post("/admin/ledger/new", data=entry_form(
        fund, amount_fen="123.54", summary="慰问困难长者", voucher_no="ZC-7-1", corrects=str(entry.id)))
    assert response.status_code == 302
    assert line_count() == 2 and money.ledger_totals().expense_fen == 12_354


# ---- import --------------------------------------------------------------------------------------------

def upload(client, data: bytes, filename: str):
    return client.post("/admin/ledger/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_finance_imports_through_upload_preview_and_confirm(app, finance_client, fund, tmp_path):
    rows = sample_rows(8)
    response = upload(finance_client, xlsx_bytes(rows, title="2024年第四季度收支"), "第四季度.xlsx")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    assert (tmp_path / "imports" / f"{token}.xlsx").is_file()

    preview = finance_client.get(preview_url)
    text = page_text(preview)
    assert preview.status_code == 200 and "第四季度.xlsx" in text
    assert 'value="import"' in text and "第8笔 重阳敬老" in text
    previewed = re.search(r'name="previewed" type="hidden" value="([^"]*)"', text).group(1)
    selects = dict(re.findall(r'<select[^>]*name="(map_[a-z_]+)"[^>]*>.*?<option selected value="([^"]*)"', text,
                              flags=re.S))
    assert selects["map_occurred_on"] == "c:0" and selects["map_summary"] == "c:10"

    confirm = finance_client.post(preview_url, data={**selects, "previewed": previewed, "action": "import"})
    assert confirm.status_code == 302 and confirm.headers["Location"].endswith("/admin/ledger/batches/1")
    assert line_count() == 8
    listing = page_text(finance_client.get("/admin/ledger/"))
    assert "8" in listing and "第1笔 重阳敬老" in listing
    assert not (tmp_path / "imports" / f"{token}.xlsx").exists()
    assert finance_client.get(preview_url).status_code == 404
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "import")).one()
    assert audit.object_label == "第四季度.xlsx" and audit.changes["rows"] == [None, 8]


def test_a_file_with_problems_shows_them_and_cannot_be_imported(app, finance_client, fund):
    rows = sample_rows(5)
    rows[2][3] = "没有这个基金"
    preview_url = upload(finance_client, csv_bytes(rows, encoding="gbk"), "十月.csv").headers["Location"]
    text = page_text(finance_client.get(preview_url))
    assert "没有这个基金" in text and 'value="import"' not in text
    assert re.search(r"<td[^>]*>[^<]*4[^<]*</td><td[^>]*>D", text)  # row 4 of the spreadsheet, column D

    forced = finance_client.post(preview_url, data={"action": "import", "map_occurred_on": "c:0"})
    assert forced.status_code in (200, 400)
    assert line_count() == 0


def test_a_fund_name_wrong_on_every_row_is_summed_up_above_the_full_list(app, finance_client, fund):
    rows = sample_rows(120, fund="大岭村基金")
    preview_url = upload(finance_client, xlsx_bytes(rows), "大岭村.xlsx").headers["Location"]
    text = page_text(finance_client.get(preview_url))
    summary = text[text.index("import-problem-groups"):text.index('class="data-table import-problems"')]
    assert summary.count("大岭村基金") == 1 and ">120<" in summary and "第 2–121 行" in summary
    full_list = text[text.index('class="data-table import-problems"'):]
    full_list = full_list[:full_list.index("</table>")]
    assert full_list.count("大岭村基金") == 120 and "第 121 行" in full_list
    assert 'value="import"' not in text


def test_changing_the_mapping_shows_a_new_preview_before_importing(app, finance_client, fund):
    headers = ["日期", "金额", "捐赠方", "摘要"]
    data = csv_bytes([["2024-10-01", "100", "王五", "网络捐赠"]], headers=headers)
    preview_url = upload(finance_client, data, "donations.csv").headers["Location"]
    first = page_text(finance_client.get(preview_url))
    assert 'value="import"' not in first

    mapping = {"map_occurred_on": "c:0", "map_amount": "c:1", "map_counterparty": "c:2", "map_summary": "c:3",
               "map_kind": "v:收入", "map_fund": f"v:{fund.id}", "map_category": "v:捐赠收入"}
    early = finance_client.post(preview_url, data={**mapping, "previewed": "", "action": "import"})
    assert early.status_code == 200 and line_count() == 0
    text = page_text(early)
    assert 'value="import"' in text
    previewed = re.search(r'name="previewed" type="hidden" value="([^"]*)"', text).group(1)
    done = finance_client.post(preview_url, data={**mapping, "previewed": previewed.replace("&amp;", "&"),
                                                  "action": "import"})
    assert done.status_code == 302 and line_count() == 1


@pytest.mark.parametrize("filename, data, status", [
    ("报表.xls", b"\xd0\xcf\x11\xe0" * 10, 415),
    ("照片.png", b"\x89PNG\r\n\x1a\n" * 10, 415),
])
def test_other_files_are_refused_with_a_message(app, finance_client, filename, data, status):
    response = upload(finance_client, data, filename)
    assert response.status_code == status
    assert 'id="file-error"' in page_text(response)


def test_a_too_large_upload_is_refused(app, finance_client):
    app.config["MAX_UPLOAD_BYTES"] = 2000
    response = upload(finance_client, csv_bytes(sample_rows(100)), "big.csv")
    assert response.status_code == 413 and 'id="file-error"' in page_text(response)


@pytest.mark.parametrize("token", ["..%2F..%2Fsecret_key", "no-such-import", "A" * 32])
def test_unknown_or_malformed_tokens_are_404(app, finance_client, token):
    assert finance_client.get(f"/admin/ledger/import/{token}").status_code == 404
    assert finance_client.post(f"/admin/ledger/import/{token}", data={"action": "import"}).status_code == 404


def test_templates_download_with_the_default_headings(app, finance_client, fund):
    csv_response = finance_client.get("/admin/ledger/import/template.csv")
    assert csv_response.status_code == 200 and "attachment" in csv_response.headers["Content-Disposition"]
    text = csv_response.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("日期,收支,金额（元）,基金") and len(text.strip().splitlines()) == 3

    xlsx_response = finance_client.get("/admin/ledger/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx_response.data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("日期", "收支", "金额（元）", "基金") and len(rows) == 3


def test_import_with_csrf_protection_on(database_url, tmp_path):
    """As in production: the upload and the confirmation carry the form's CSRF token."""
    with configured_app(database_url, tmp_path, WTF_CSRF_ENABLED=True, LEDGER_IMPORT_DIR=str(tmp_path / "i")) as app:
        make_fund(title="番禺区慈善基金")
        db.session.commit()
        make_user("finance@example.org", roles=("finance",))
        client = app.test_client()

        def token_from(url):
            return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                             client.get(url).get_data(as_text=True)).group(1)

        client.post("/admin/login", data={"email": "finance@example.org", "password": "Zhongwen-mima-2024",
                                          "csrf_token": token_from("/admin/login")})
        forged = client.post("/admin/ledger/import", data={"file": (io.BytesIO(csv_bytes(sample_rows(2))), "a.csv")},
                             content_type="multipart/form-data")
        assert forged.status_code == 400
        response = client.post("/admin/ledger/import", content_type="multipart/form-data", data={
            "file": (io.BytesIO(csv_bytes(sample_rows(2))), "a.csv"), "csrf_token": token_from("/admin/ledger/import")})
        assert response.status_code == 302
        preview_url = response.headers["Location"]
        page = client.get(preview_url).get_data(as_text=True)
        fields = dict(re.findall(r'<select[^>]*name="(map_[a-z_]+)"[^>]*>.*?<option selected value="([^"]*)"', page,
                                 flags=re.S))
        previewed = re.search(r'name="previewed" type="hidden" value="([^"]*)"', page).group(1)
        assert client.post(preview_url, data={**fields, "previewed": previewed, "action": "import"}).status_code == 400
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        done = client.post(preview_url, data={**fields, "previewed": previewed, "action": "import", "csrf_token": csrf})
        assert done.status_code == 302
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 2
