"""The open datasets (ledger, funds, projects, disclosures): what each publishes, field by field.

Person counterparties are masked as on the pages (张**); ledger notes, project contacts and responsible
persons are never exported.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from charity_site.core.formatting import local_date
from charity_site.core.labels import label_of
from charity_site.disclosures.models import DisclosureStatus
from charity_site.open_data.fields import (
    Dataset,
    Field,
    enum_value,
    money_fields,
    opt_int,
    opt_text,
    public_counterparty,
    text_of,
)
from charity_site.open_data.queries import NO_FILTERS, disclosure_rows, fund_rows, ledger_rows, project_rows
from charity_site.web.urls import canonical_url

_FUND_FIELDS = (
    Field("fund_slug", "string", _l("Short name of the fund in its web address"), "general-fund",
          text_of("fund_slug")),
    Field("fund_title", "string", _l("Name of the fund the money belongs to"), "慈善基金（非定向）",
          text_of("fund_title")),
)

LEDGER = Dataset(
    "ledger",
    _l("Income and expenditure"),
    _l("Every income and expense line of our public funds, oldest first. Voided lines are included and "
       "marked, so corrections stay visible."),
    (
        Field("id", "integer", _l("Line number on this site; never reused"), "1024", lambda row: row.id),
        Field("occurred_on", "date", _l("Date of the income or expense (YYYY-MM-DD)"), "2024-10-08",
              lambda row: row.occurred_on),
        Field("kind", "string", _l("income or expense"), "expense", lambda row: enum_value(row.kind)),
        *money_fields("amount", _l("Amount in fen (1 yuan = 100 fen), always positive"), 123450),
        *_FUND_FIELDS,
        Field("project_slug", "string", _l("Short name of the project, empty when the line belongs to no public "
                                           "project"), "zhuxue-2024", opt_text("project_slug"), nullable=True),
        Field("project_title", "string", _l("Name of the project"), "2024年助学金发放", opt_text("project_title"),
              nullable=True),
        Field("category", "string", _l("Category, such as donation income or relief"), "助学", text_of("category")),
        Field("channel", "string", _l("How the money moved: bank transfer, WeChat, cash ..."), "银行转账",
              text_of("channel")),
        Field("counterparty", "string", _l("Who paid or was paid: organisations in full, private persons masked"),
              "张**", lambda row: public_counterparty(row.counterparty, row.counterparty_type)),
        Field("counterparty_type", "string", _l("organisation or person"), "person",
              lambda row: enum_value(row.counterparty_type)),
        Field("voucher_no", "string", _l("Accounting voucher number"), "记-2024-10-015", opt_text("voucher_no"),
              nullable=True),
        Field("summary", "string", _l("Short description of the line"), "发放秋季学期助学金", text_of("summary")),
        Field("voided", "boolean", _l("true when the line was voided; leave it out of every total"), "false",
              lambda row: bool(row.voided)),
        Field("void_reason", "string", _l("Why the line was voided; empty otherwise"), "",
              lambda row: (row.void_reason or "") if row.voided else ""),
    ),
    ledger_rows,
    notes=(_l("Totals must leave out voided lines (voided = true): they are published only so that every "
              "correction can be followed."),),
)

FUNDS = Dataset(
    "funds",
    _l("Charity funds"),
    _l("Our public funds with income, expenditure and balance computed from the ledger (voided lines left out)."),
    (
        Field("id", "integer", _l("Fund number on this site"), "3", lambda row: row.id),
        Field("slug", "string", _l("Short name of the fund in its web address"), "general-fund", text_of("slug")),
        Field("title", "string", _l("Name of the fund"), "慈善基金（非定向）", text_of("title")),
        Field("kind", "string", _l("general, community or named"), "community", lambda row: enum_value(row.kind)),
        Field("kind_label", "string", _l("Kind of fund in words"), "社区慈善基金", lambda row: str(label_of(row.kind))),
        Field("area", "string", _l("Town or village of a community fund"), "南村镇", text_of("area")),
        Field("established_on", "date", _l("Date the fund was set up"), "2019-05-01",
              lambda row: row.established_on, nullable=True),
        Field("summary", "string", _l("Short description"), "用于社区慈善项目", text_of("summary")),
        *money_fields("income", _l("Income received, in fen"), 50000000),
        *money_fields("expense", _l("Money spent, in fen"), 32000000),
        *money_fields("balance", _l("Balance (income minus expense), in fen"), 18000000),
        Field("published_on", "date", _l("Date first published on this site"), "2024-01-15",
              lambda row: local_date(row.published_at), nullable=True),
    ),
    fund_rows,
)

PROJECTS = Dataset(
    "projects",
    _l("Charity projects"),
    _l("Our public projects with budget, results and the money raised and spent on each (from the ledger)."),
    (
        Field("id", "integer", _l("Project number on this site"), "12", lambda row: row.id),
        Field("slug", "string", _l("Short name of the project in its web address"), "zhuxue-2024", text_of("slug")),
        Field("title", "string", _l("Name of the project"), "2024年助学金发放", text_of("title")),
        Field("url", "string", _l("Address of the project page"), "https://example.org/projects/zhuxue-2024",
              lambda row: canonical_url("projects.detail", slug=row.slug)),
        Field("category", "string", _l("Project category"), "助学支教", text_of("category")),
        Field("status", "string", _l("preparing, active or completed"), "active",
              lambda row: enum_value(row.project_status)),
        Field("summary", "string", _l("Short description"), "资助困难家庭学生完成学业", text_of("summary")),
        Field("start_date", "date", _l("Start date"), "2024-09-01", lambda row: row.start_date, nullable=True),
        Field("end_date", "date", _l("End date"), "2025-06-30", lambda row: row.end_date, nullable=True),
        *money_fields("budget", _l("Budget in fen, as planned"), 20000000, nullable=True),
        *money_fields("goal", _l("Fundraising goal in fen, when there is a campaign"), 20000000, nullable=True),
        Field("beneficiaries", "integer", _l("People helped"), "120", lambda row: opt_int(row.beneficiaries),
              nullable=True),
        Field("service_sessions", "integer", _l("Number of service sessions"), "36",
              lambda row: opt_int(row.service_sessions), nullable=True),
        Field("people_served", "integer", _l("Number of person-times served"), "860",
              lambda row: opt_int(row.people_served), nullable=True),
        Field("fund_slug", "string", _l("Short name of the fund the project belongs to"), "general-fund",
              opt_text("fund_slug"), nullable=True),
        Field("fund_title", "string", _l("Name of that fund"), "慈善基金（非定向）", opt_text("fund_title"),
              nullable=True),
        *money_fields("income", _l("Income recorded for the project, in fen"), 20000000),
        *money_fields("expense", _l("Money spent on the project, in fen"), 17937000),
        *money_fields("balance", _l("Income minus expense, in fen"), 2063000),
        Field("published_on", "date", _l("Date first published on this site"), "2024-09-01",
              lambda row: local_date(row.published_at), nullable=True),
    ),
    project_rows,
)

DISCLOSURES = Dataset(
    "disclosures",
    _l("Notices and reports"),
    _l("The notices and reports we have published, including withdrawn ones with their reason. "
       "The full text is on each notice's page."),
    (
        Field("id", "integer", _l("Notice number on this site"), "7", lambda row: row.id),
        Field("kind", "string", _l("Kind of notice (code)"), "fund_use", lambda row: enum_value(row.kind)),
        Field("kind_label", "string", _l("Kind of notice in words"), "经费使用情况公示",
              lambda row: str(label_of(row.kind))),
        Field("title", "string", _l("Title"), "关于2024年第三季度经费使用情况的公示", text_of("title")),
        Field("url", "string", _l("Address of the notice page, with the full text and attachments"),
              "https://example.org/disclosures/7",
              lambda row: canonical_url("disclosures.detail", disclosure_id=row.id)),
        Field("summary", "string", _l("Short description"), "本季度共支出12.5万元", text_of("summary")),
        Field("period_start", "date", _l("First day of the period covered"), "2024-07-01",
              lambda row: row.period_start, nullable=True),
        Field("period_end", "date", _l("Last day of the period covered"), "2024-09-30",
              lambda row: row.period_end, nullable=True),
        Field("project_slug", "string", _l("Short names of the projects concerned, separated by spaces"),
              "zhuxue-2024", opt_text("project_slug"), nullable=True),
        Field("fund_slug", "string", _l("Short name of the fund concerned"), "general-fund", opt_text("fund_slug"),
              nullable=True),
        Field("status", "string", _l("published or withdrawn"), "published", lambda row: enum_value(row.status)),
        Field("published_on", "date", _l("Date of publication"), "2024-10-15",
              lambda row: local_date(row.published_at), nullable=True),
        Field("withdrawn_on", "date", _l("Date of withdrawal, if withdrawn"), "",
              lambda row: local_date(row.withdrawn_at) if row.status is DisclosureStatus.WITHDRAWN else None,
              nullable=True),
        Field("withdrawn_reason", "string", _l("Public reason for the withdrawal"), "",
              lambda row: (row.withdrawn_reason or "") if row.status is DisclosureStatus.WITHDRAWN else ""),
    ),
    disclosure_rows,
)

DATASETS: dict[str, Dataset] = {dataset.name: dataset for dataset in (LEDGER, FUNDS, PROJECTS, DISCLOSURES)}


def get_dataset(name: str) -> Dataset | None:
    return DATASETS.get(name)


def records(dataset: Dataset, filters=NO_FILTERS) -> Iterable[dict]:
    """Records as Python values (dates as date objects), for services and tests."""
    for row in dataset.rows(filters):
        yield dataset.record(row)
