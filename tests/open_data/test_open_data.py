"""Open data downloads (/open-data): public rows only, exact money, no personal data, every format."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from factories import make_disclosure, make_entry, make_fund, make_project, make_site_settings

from charity_site.core.formatting import SITE_TZ, yuan_text
from charity_site.extensions import db
from charity_site.finance import money
from charity_site.models import (
    CounterpartyType,
    DisclosureStatus,
    EntryKind,
    LedgerEntry,
    PublicationStatus,
    utcnow,
)
from charity_site.open_data import datasets, queries, writers

PERSON_NAME = "张三丰"
RESPONSIBLE = "李四光"
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
CREDIT_CODE = "51440113MJL000000X"
DATASETS = ("ledger", "funds", "projects", "disclosures")
FORMATS = ("csv", "xlsx", "json")


@pytest.fixture
def site(app):
    """A public fund with person and organisation lines, a voided line, and drafts that must stay hidden."""
    make_site_settings(org_name="测试慈善会", credit_code=CREDIT_CODE, phone="020-84561234")
    fund = make_fund(title="公开基金", slug="open-fund")
    hidden_fund = make_fund(title="草稿基金", slug="draft-fund", status=PublicationStatus.DRAFT, published_at=None)
    project = make_project(title="助学项目", slug="zhuxue", fund_id=fund.id, responsible_person=RESPONSIBLE,
                           contact=f"{RESPONSIBLE} 13912345678 / 020-84567890",
                           start_date=date(2024, 9, 1), end_date=date(2025, 6, 30))
    draft_project = make_project(title="草稿项目", slug="draft-project", status=PublicationStatus.DRAFT,
                                 published_at=None)
    lines = {
        "org_income": make_entry(fund, 1_000_00, occurred_on=date(2024, 3, 1), counterparty="某某公司"),
        "person_income": make_entry(fund, 123_45, occurred_on=date(2024, 4, 2), counterparty=PERSON_NAME,
                                    counterparty_type=CounterpartyType.PERSON,
                                    note=f"{PERSON_NAME} 手机13800001111", channel="微信"),
        "person_expense": make_entry(fund, 234_56, EntryKind.EXPENSE, occurred_on=date(2024, 5, 3),
                                     project_id=project.id, counterparty=PERSON_NAME,
                                     counterparty_type=CounterpartyType.PERSON, summary="发放助学金",
                                     note="联系电话 13800001111"),
        "org_expense": make_entry(fund, 500_50, EntryKind.EXPENSE, occurred_on=date(2024, 6, 4),
                                  project_id=project.id, counterparty="某某书店", summary="购买图书"),
        "voided": make_entry(fund, 999_99, EntryKind.EXPENSE, occurred_on=date(2024, 6, 5), project_id=project.id,
                             voided=True, void_reason="金额录入错误", voided_at=utcnow()),
        "draft_project_expense": make_entry(fund, 70_00, EntryKind.EXPENSE, occurred_on=date(2024, 7, 6),
                                            project_id=draft_project.id, counterparty="某某服务社"),
        "hidden": make_entry(hidden_fund, 7777_77, occurred_on=date(2024, 8, 7), counterparty="隐藏单位"),
    }
    make_disclosure(title="第三季度经费使用公示", period_start=date(2024, 7, 1), period_end=date(2024, 9, 30),
                    project_id=project.id)
    make_disclosure(title="草稿公示", status=DisclosureStatus.DRAFT, published_at=None)
    make_disclosure(title="已撤回公示", status=DisclosureStatus.WITHDRAWN, withdrawn_at=utcnow(),
                    withdrawn_reason="数据有误，已重新发布")
    db.session.commit()
    return {"fund": fund, "hidden_fund": hidden_fund, "project": project, "draft_project": draft_project,
            "lines": lines}


def csv_rows(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> tuple[list, list[dict]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    return header, [dict(zip(header, row, strict=False)) for row in rows[1:]]


def sums(records, amount=lambda record: int(record["amount_fen"]), voided=lambda record: record["voided"] == "true"):
    income = sum(amount(r) for r in records if r["kind"] == "income" and not voided(r))
    expense = sum(amount(r) for r in records if r["kind"] == "expense" and not voided(r))
    return income, expense


def public_totals():
    totals = money.ledger_totals(queries.public_ledger_clause())
    return totals.income_fen, totals.expense_fen


def export_text(client, dataset: str, fmt: str) -> str:
    response = client.get(f"/open-data/{dataset}.{fmt}")
    assert response.status_code == 200
    if fmt != "xlsx":
        return response.get_data(as_text=True)
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return "\n".join(" ".join("" if value is None else str(value) for value in row)
                     for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True))


def test_ledger_csv_is_streamed_with_bom_and_sums_to_the_sql_totals(client, site):
    response = client.get("/open-data/ledger.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert list(rows[0].keys()) == datasets.LEDGER.field_names
    assert sums(rows) == public_totals() == (1_000_00 + 123_45, 234_56 + 500_50)
    # Voided lines are published, marked, with their reason; the yuan column says the same as the fen one.
    voided = [row for row in rows if row["voided"] == "true"]
    assert [(row["amount_fen"], row["void_reason"]) for row in voided] == [("99999", "金额录入错误")]
    assert all(Decimal(row["amount_yuan"]) * 100 == int(row["amount_fen"]) for row in rows)
    assert {row["amount_yuan"] for row in rows} >= {"123.45", "500.50", "1000.00"}


def test_demo_ledger_csv_sums_to_ledger_totals(client, demo):
    rows = csv_rows(client.get("/open-data/ledger.csv"))
    totals = money.ledger_totals()
    assert rows and sums(rows) == (totals.income_fen, totals.expense_fen)


def test_ledger_xlsx_has_the_same_header_and_sums(client, site):
    response = client.get("/open-data/ledger.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header, rows = xlsx_rows(response)
    assert header == datasets.LEDGER.field_names
    assert sums(rows, voided=lambda record: record["voided"] is True) == public_totals()
    # Excel users can add up the yuan column: it is a number equal to fen / 100.
    assert all(Decimal(str(row["amount_yuan"])) * 100 == row["amount_fen"] for row in rows)
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    guide = [row[0] for row in workbook["fields"].iter_rows(values_only=True)]
    assert set(datasets.LEDGER.field_names) <= set(guide)


def check_type(field: dict, value) -> bool:
    if value is None:
        return field["nullable"]
    if field["type"] == "string":
        return isinstance(value, str)
    if field["type"] == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if field["type"] == "boolean":
        return isinstance(value, bool)
    if field["type"] == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if field["type"] == "date":
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    return False


@pytest.mark.parametrize("name", DATASETS)
def test_json_records_follow_the_field_dictionary(client, site, name):
    response = client.get(f"/open-data/{name}.json")
    assert response.status_code == 200
    assert response.is_streamed
    document = json.loads(response.get_data(as_text=True))
    dataset = datasets.DATASETS[name]
    assert document["dataset"] == name
    assert [field["name"] for field in document["fields"]] == dataset.field_names
    assert document["records"], "the fixture publishes at least one record of every dataset"
    fields = {field["name"]: field for field in document["fields"]}
    for record in document["records"]:
        assert list(record) == dataset.field_names
        wrong = {key: value for key, value in record.items() if not check_type(fields[key], value)}
        assert not wrong, f"{name}: values not of their declared type: {wrong}"


@pytest.mark.parametrize("name", DATASETS)
def test_csv_and_xlsx_headers_come_from_the_field_dictionary(client, site, name):
    rows = csv_rows(client.get(f"/open-data/{name}.csv"))
    header, _rows = xlsx_rows(client.get(f"/open-data/{name}.xlsx"))
    assert list(rows[0].keys()) == header == datasets.DATASETS[name].field_names


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", DATASETS)
def test_no_personal_data_in_any_export(client, site, name, fmt):
    text = export_text(client, name, fmt)
    for secret in (PERSON_NAME, RESPONSIBLE, "13912345678", "13800001111", "手机", "联系电话"):
        assert secret not in text
    assert not MOBILE.search(text), MOBILE.search(text)
    assert not LANDLINE.search(text), LANDLINE.search(text)
    if name == "ledger":
        assert "张**" in text  # the masked form the ledger pages show


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_masked_name_does_not_tell_its_length(client, site, fmt):
    long_name = "王" + "某" * 15
    make_entry(site["fund"], 1_00, occurred_on=date(2024, 4, 9), counterparty=long_name,
               counterparty_type=CounterpartyType.PERSON)
    db.session.commit()
    text = export_text(client, "ledger", fmt)
    assert "王某" not in text
    assert "王**" in text and "王***" not in text


def test_no_personal_data_in_the_grants_file(client, site):
    text = client.get("/open-data/grants-360giving.json").get_data(as_text=True)
    for secret in (PERSON_NAME, RESPONSIBLE, "13912345678", "13800001111", "张**"):
        assert secret not in text
    assert not MOBILE.search(text) and not LANDLINE.search(text)


def test_drafts_and_non_public_items_are_left_out(client, site):
    ledger = csv_rows(client.get("/open-data/ledger.csv"))
    assert "777777" not in {row["amount_fen"] for row in ledger}
    assert all(row["fund_slug"] == "open-fund" for row in ledger)
    # A line of a draft project is not public yet, like the project itself (the site's one rule).
    assert str(site["lines"]["draft_project_expense"].id) not in {row["id"] for row in ledger}
    for name in DATASETS:
        for fmt in FORMATS:
            text = export_text(client, name, fmt)
            for hidden in ("草稿基金", "draft-fund", "草稿项目", "draft-project", "草稿公示", "隐藏单位"):
                assert hidden not in text, (name, fmt, hidden)
    disclosures = json.loads(client.get("/open-data/disclosures.json").get_data(as_text=True))["records"]
    withdrawn = next(record for record in disclosures if record["title"] == "已撤回公示")
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_reason"] == "数据有误，已重新发布"


def test_fund_and_project_totals_come_from_the_ledger(app, site):
    funds = list(datasets.records(datasets.FUNDS))
    assert [fund["slug"] for fund in funds] == ["open-fund"]
    expected = money.fund_totals([site["fund"].id])[site["fund"].id]
    assert (funds[0]["income_fen"], funds[0]["expense_fen"], funds[0]["balance_fen"]) == (
        expected.income_fen, expected.expense_fen, expected.balance_fen)
    assert funds[0]["balance_yuan"] == yuan_text(expected.balance_fen)
    with app.test_request_context():  # project records carry the page address
        projects = {project["slug"]: project for project in datasets.records(datasets.PROJECTS)}
    assert set(projects) == {"zhuxue"}
    spent = money.ledger_totals(LedgerEntry.project_id == site["project"].id).expense_fen
    assert projects["zhuxue"]["expense_fen"] == spent == 234_56 + 500_50
    assert projects["zhuxue"]["fund_slug"] == "open-fund"


def test_money_booked_to_a_hidden_fund_is_in_no_exported_total(app, site):
    """A public project paid partly from a draft fund: the exports count only the public fund's lines."""
    make_entry(site["hidden_fund"], 5_000_00, project_id=site["project"].id)
    make_entry(site["hidden_fund"], 300_00, EntryKind.EXPENSE, project_id=site["project"].id)
    db.session.commit()

    with app.test_request_context():
        projects = {project["slug"]: project for project in datasets.records(datasets.PROJECTS)}
    funds = {fund["slug"]: fund for fund in datasets.records(datasets.FUNDS)}

    project = projects["zhuxue"]
    assert (project["income_fen"], project["expense_fen"]) == (0, 234_56 + 500_50)
    shown = money.project_totals([site["project"].id])[site["project"].id]
    assert (project["income_fen"], project["expense_fen"]) == (shown.income_fen, shown.expense_fen)
    assert set(funds) == {"open-fund"}
    assert funds["open-fund"]["income_fen"] == 1_000_00 + 123_45


def ledger_ids(client, query: str = "") -> set[int]:
    return {int(row["id"]) for row in csv_rows(client.get(f"/open-data/ledger.csv{query}"))}


def test_ledger_download_accepts_the_ledger_page_filters(client, site):
    lines = site["lines"]
    everything = ledger_ids(client)
    expenses = {lines[key].id for key in ("person_expense", "org_expense", "voided")}
    assert ledger_ids(client, "?kind=expense") == expenses
    assert ledger_ids(client, "?project=zhuxue") == {lines[key].id for key in
                                                     ("person_expense", "org_expense", "voided")}
    assert ledger_ids(client, "?fund=open-fund") == everything
    assert ledger_ids(client, "?from=2024-04-01&to=2024-05-31") == {lines["person_income"].id,
                                                                   lines["person_expense"].id}
    assert ledger_ids(client, "?channel=微信") == {lines["person_income"].id}
    assert ledger_ids(client, "?category=救助&kind=expense&from=2024-06-05") == {lines["voided"].id}
    # Invalid or unknown values are ignored rather than refused; a draft fund cannot be asked for.
    assert ledger_ids(client, "?kind=gift&from=2024-13-01&to=yesterday&fund=draft-fund&project=nope") == everything
    # The XLSX and JSON downloads filter the same way.
    _header, rows = xlsx_rows(client.get("/open-data/ledger.xlsx?kind=income"))
    assert {row["id"] for row in rows} == {lines["org_income"].id, lines["person_income"].id}
    records = json.loads(client.get("/open-data/ledger.json?project=zhuxue&kind=expense")
                         .get_data(as_text=True))["records"]
    assert {record["id"] for record in records} == {lines[key].id for key in
                                                    ("person_expense", "org_expense", "voided")}


@pytest.mark.parametrize("path", ["/open-data/pledges.csv", "/open-data/ledger.pdf", "/open-data/ledger.xml",
                                  "/open-data/ledger", "/open-data/grants-360giving.csv"])
def test_unknown_dataset_or_format_is_404(client, site, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_downloads_have_a_dated_filename_and_short_public_caching(client, site, fmt):
    response = client.get(f"/open-data/ledger.{fmt}")
    today = utcnow().astimezone(SITE_TZ).date().isoformat()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''ledger-{today}.{fmt}" in disposition
    cache = response.headers["Cache-Control"]
    assert cache.startswith("public") and "max-age=" in cache


def test_content_disposition_is_safe_for_chinese_names():
    header = writers.content_disposition("收支明细-2024.csv")
    assert 'filename="-2024.csv"' in header
    assert "filename*=UTF-8''%E6%94%B6%E6%94%AF%E6%98%8E%E7%BB%86-2024.csv" in header


def test_grants_file_follows_360giving(client, site):
    response = client.get("/open-data/grants-360giving.json")
    assert response.status_code == 200 and response.is_streamed
    text = response.get_data(as_text=True)
    grants = json.loads(text, parse_float=Decimal)["grants"]
    lines = site["lines"]
    # Non-voided expense lines on public projects of public funds only.
    assert {grant["id"] for grant in grants} == {f"360G-{CREDIT_CODE}-{lines[key].id}"
                                                 for key in ("person_expense", "org_expense")}
    required = ("id", "title", "description", "currency", "amountAwarded", "awardDate", "fundingOrganization")
    for grant in grants:
        assert all(grant.get(key) not in (None, "", []) for key in required), grant
        assert ("recipientOrganization" in grant) != ("recipientIndividual" in grant)
        assert grant["currency"] == "CNY" and grant["title"] == "助学项目"
        assert grant["fundingOrganization"] == [{"id": f"CN-USC-{CREDIT_CODE}", "name": "测试慈善会"}]
        assert grant["plannedDates"] == [{"startDate": "2024-09-01", "endDate": "2025-06-30"}]
    spent = sum(grant["amountAwarded"] for grant in grants) * 100
    assert spent == db.session.scalar(
        db.select(db.func.sum(LedgerEntry.amount_fen)).where(
            LedgerEntry.id.in_([lines["person_expense"].id, lines["org_expense"].id])))
    assert re.findall(r'"amountAwarded":(\d+\.\d+)', text) and all(
        len(amount.split(".")[1]) == 2 for amount in re.findall(r'"amountAwarded":(\d+\.\d+)', text))
    by_id = {grant["id"].rsplit("-", 1)[1]: grant for grant in grants}
    person = by_id[str(lines["person_expense"].id)]
    assert person["recipientIndividual"] == {"id": f"anonymous-{lines['person_expense'].id}", "name": "个人受助者"}
    assert person["description"] == "发放助学金" and person["awardDate"] == "2024-05-03"
    organisation = by_id[str(lines["org_expense"].id)]
    assert organisation["recipientOrganization"][0]["name"] == "某某书店"
    assert organisation["amountAwarded"] == Decimal("500.50")


def test_grants_without_a_credit_code_use_a_site_prefix(client, app):
    fund = make_fund()
    project = make_project(fund_id=fund.id)
    line = make_entry(fund, 12_00, EntryKind.EXPENSE, project_id=project.id)
    db.session.commit()
    grants = json.loads(client.get("/open-data/grants-360giving.json").get_data(as_text=True))["grants"]
    assert [grant["id"] for grant in grants] == [f"360G-charity-site-{line.id}"]


def test_spreadsheet_formulas_typed_by_staff_are_never_run(client, site):
    make_entry(site["fund"], 1_00, occurred_on=date(2024, 1, 1), summary='=HYPERLINK("http://x","点击")')
    db.session.commit()
    rows = csv_rows(client.get("/open-data/ledger.csv"))
    assert rows[0]["summary"] == "'=HYPERLINK(\"http://x\",\"点击\")"
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/open-data/ledger.xlsx").get_data()))
    sheet = workbook["ledger"]
    summary_column = datasets.LEDGER.field_names.index("summary") + 1
    cell = sheet.cell(row=2, column=summary_column)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_open_data_page_explains_every_dataset(client, site):
    response = client.get("/open-data/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name, dataset in datasets.DATASETS.items():
        for fmt in FORMATS:
            assert f'href="/open-data/{name}.{fmt}"' in page
        for field in dataset.fields:
            assert f"<code>{field.name}</code>" in page
    assert 'href="/open-data/grants-360giving.json"' in page
    assert "共 5 条" in page  # five public ledger lines (those of the draft fund and draft project are not)
    assert "张**" in page and "voided = true" in page  # privacy and totals rules are explained
    assert "draft-fund" not in page


def test_open_data_counts_follow_each_public_change(client, site):
    def counts() -> list[str]:
        return re.findall(r'<p class="dataset-count">([^<]+)</p>', client.get("/open-data/").get_data(as_text=True))

    # ledger lines, funds, projects, disclosures (the withdrawn one stays listed, marked withdrawn)
    assert counts() == ["共 5 条", "共 1 条", "共 1 条", "共 2 条"]
    assert counts() == ["共 5 条", "共 1 条", "共 1 条", "共 2 条"]
    make_project(title="新项目", slug="new-project")
    make_entry(site["fund"], 10_00, occurred_on=date(2024, 9, 1), counterparty="某某公司")
    db.session.commit()
    assert counts() == ["共 6 条", "共 1 条", "共 2 条", "共 2 条"]


def test_json_export_of_an_empty_site_is_valid(client, app):
    for name in DATASETS:
        document = json.loads(client.get(f"/open-data/{name}.json").get_data(as_text=True))
        assert document["records"] == []
    assert json.loads(client.get("/open-data/grants-360giving.json").get_data(as_text=True)) == {"grants": []}
    rows = csv_rows(client.get("/open-data/ledger.csv"))
    assert rows == []


def test_rows_are_read_in_batches(app, site, monkeypatch):
    """The export never loads a table at once: the query asks for yield_per batches."""
    seen = []
    original = db.session.execute

    def spy(statement, *args, **kwargs):
        seen.append(statement.get_execution_options().get("yield_per"))
        return original(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", spy)
    assert len(list(writers.iter_csv(datasets.LEDGER))) >= 1
    assert queries.YIELD_PER in seen


def test_a_ledger_too_long_for_one_sheet_goes_on_in_the_next(client, site, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 4)  # header + 3 lines a sheet
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/open-data/ledger.xlsx").get_data()), read_only=True)
    assert workbook.sheetnames == ["ledger", "ledger-2", "fields"]
    ids = []
    for sheet in workbook.worksheets[:2]:
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == datasets.LEDGER.field_names
        ids += [row[0] for row in rows[1:]]
    assert sorted(ids) == sorted(ledger_ids(client))
