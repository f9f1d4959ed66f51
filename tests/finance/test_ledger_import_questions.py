"""The import preview counts the rows it read and asks, rather than guesses, when a row's kind is unclear;
a counterparty without a kind is read from its name."""

from __future__ import annotations

import re

import pytest
from factories import login
from sqlalchemy import select
from test_ledger_import import preview_of, xlsx_bytes

from charity_site.extensions import db
from charity_site.finance import ledger_import
from charity_site.models import CounterpartyType, EntryKind, LedgerEntry

EXPENSE_FILE_HEADERS = ["日期", "支出", "基金", "类别", "摘要"]
EXPENSE_FILE_ROWS = [
    ["2024-10-01", 500, "番禺区慈善基金", "慰问", "购买重阳节慰问品"],
    ["2024-10-02", 1000, "番禺区慈善基金", "捐赠收入", "收到某公司捐款"],
    ["2024-10-03", 300, "番禺区慈善基金", "慰问", "春节慰问"],
]


@pytest.fixture
def finance_client(app, client, finance, tmp_path):
    app.config["LEDGER_IMPORT_DIR"] = str(tmp_path / "imports")
    assert login(client, finance.email).status_code == 302
    return client


def upload(client, data: bytes, name: str) -> str:
    from io import BytesIO

    response = client.post("/admin/ledger/import", data={"file": (BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_file_whose_columns_are_not_all_known_still_counts_its_rows(app, finance_client, fund):
    data = xlsx_bytes([["2024-10-01", "100", "捐款"], ["2024-10-02", "200", "捐款"], ["2024-10-03", "300", "捐款"]],
                      headers=["日期", "金额", "摘要"])
    page = finance_client.get(upload(finance_client, data, "三行.xlsx")).get_data(as_text=True)
    assert re.search(r'data-figure="rows">\s*3\s*<', page), "the file has 3 data rows"


def test_rows_whose_summary_says_donation_are_not_made_expenses_silently(app, tmp_path, fund, finance):
    data = xlsx_bytes(EXPENSE_FILE_ROWS, headers=EXPENSE_FILE_HEADERS)
    preview = preview_of(tmp_path, "支出.xlsx", data)
    assert preview.row_count == 3
    assert [row.number for row in preview.ambiguous_rows] == [3]
    assert not preview.ok and preview.problems == []
    with pytest.raises(ledger_import.ImportRefused):
        ledger_import.import_rows(preview, finance)
    assert db.session.scalar(select(LedgerEntry.id)) is None

    answered = preview_of(tmp_path, "支出.xlsx", data, {**preview.mapping, "ambiguous_kind": "v:收入"})
    assert answered.ok
    assert [row.values["kind"] for row in answered.rows] == [EntryKind.EXPENSE, EntryKind.INCOME, EntryKind.EXPENSE]
    assert (answered.income_fen, answered.expense_fen) == (100_000, 80_000)


def test_one_kind_chosen_for_every_row_is_questioned_too(app, tmp_path, fund, finance):
    data = xlsx_bytes([["2024-10-01", 500, "捐赠收入", "重阳敬老捐款"], ["2024-10-02", 80, "捐赠收入", "零星捐赠"]],
                      headers=["日期", "金额", "类别", "摘要"])
    mapping = {"occurred_on": "c:0", "amount": "c:1", "category": "c:2", "summary": "c:3", "kind": "v:支出",
               "fund": f"v:{fund.id}"}
    preview = preview_of(tmp_path, "a.xlsx", data, mapping)
    assert len(preview.ambiguous_rows) == 2 and not preview.ok
    assert preview_of(tmp_path, "a.xlsx", data, {**mapping, "ambiguous_kind": "v:收入"}).ok
    per_row = preview_of(tmp_path, "a.xlsx", data, {**mapping, "kind": "v:收入"})
    assert per_row.ok and not per_row.ambiguous_rows


def test_the_preview_page_asks_and_imports_only_after_the_answer(app, finance_client, fund):
    url = upload(finance_client, xlsx_bytes(EXPENSE_FILE_ROWS, headers=EXPENSE_FILE_HEADERS), "支出.xlsx")
    page = finance_client.get(url).get_data(as_text=True)
    assert "这些行是收入还是支出？" in page and "收到某公司捐款" in page
    assert 'value="import"' not in page
    mapping = dict(re.findall(r'<select[^>]*name="(map_[a-z_]+)"[^>]*>.*?<option selected value="([^"]*)"', page,
                              flags=re.S))
    previewed = re.search(r'name="previewed" type="hidden" value="([^"]*)"', page).group(1)
    refused = finance_client.post(url, data={**mapping, "previewed": previewed, "action": "import"})
    assert refused.status_code == 400 and db.session.scalar(select(LedgerEntry.id)) is None

    answered = finance_client.post(url, data={**mapping, "previewed": previewed, "action": "preview",
                                              "ambiguous_kind": "v:收入"})
    text = answered.get_data(as_text=True)
    assert answered.status_code == 200 and 'value="import"' in text and "这些行是收入还是支出？" not in text
    previewed = re.search(r'name="previewed" type="hidden" value="([^"]*)"', text).group(1)
    done = finance_client.post(url, data={**mapping, "previewed": previewed, "action": "import",
                                          "ambiguous_kind": "v:收入"})
    assert done.status_code == 302
    kinds = db.session.execute(select(LedgerEntry.summary, LedgerEntry.kind)).all()
    assert dict(kinds)["收到某公司捐款"] is EntryKind.INCOME and dict(kinds)["春节慰问"] is EntryKind.EXPENSE


@pytest.mark.parametrize("answer", ["v:both", "c:99", "<script>", "v:" + "收" * 500])
def test_a_forged_answer_is_ignored(app, tmp_path, fund, answer):
    data = xlsx_bytes(EXPENSE_FILE_ROWS, headers=EXPENSE_FILE_HEADERS)
    preview = preview_of(tmp_path, "支出.xlsx", data, {"occurred_on": "c:0", "expense": "c:1", "fund": "c:2",
                                                       "category": "c:3", "summary": "c:4", "ambiguous_kind": answer})
    assert "ambiguous_kind" not in preview.mapping and not preview.ok


def test_an_import_without_a_counterparty_kind_reads_it_from_the_name(app, client, tmp_path, fund, finance):
    headers = ["日期", "收支", "金额", "基金", "类别", "对方", "摘要"]
    rows = [["2024-10-01", "收入", 5000, "番禺区慈善基金", "捐赠收入", "番禺区某某有限公司", "企业捐赠"],
            ["2024-10-02", "收入", 100, "番禺区慈善基金", "捐赠收入", "番禺陈大文", "个人捐赠"]]
    preview = preview_of(tmp_path, "b.xlsx", xlsx_bytes(rows, headers=headers))
    assert preview.ok
    assert [row.values["counterparty_type"] for row in preview.rows] == [CounterpartyType.ORGANISATION,
                                                                        CounterpartyType.PERSON]
    assert preview.rows[1].display["public_counterparty"] == "番**"
    ledger_import.import_rows(preview, finance)
    db.session.commit()
    public = client.get("/ledger/").get_data(as_text=True)
    assert "番禺区某某有限公司" in public
    assert "番禺陈大文" not in public and "番**" in public
