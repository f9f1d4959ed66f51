"""Unmatched statement lines recorded as plain income lines in one step, through the ledger's rulebook."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from factories import line_count, login
from factories_donations import giving_ready, open_project
from sqlalchemy import select

from charity_site.core.formatting import local_today
from charity_site.extensions import db
from charity_site.finance.models import EntryKind, LedgerEntry


@pytest.fixture
def project(app):
    giving_ready()
    return open_project()


def read_statement(client) -> str:
    today = local_today()
    rows = ["交易日期,交易金额,附言,对方户名",
            f"{(today - timedelta(days=2)).isoformat()},300.00,年会现场捐款,张三",
            f"{(today - timedelta(days=1)).isoformat()},1234.56,校友会转账,李四"]
    page = client.post("/admin/pledges/statement", data={
        "file": (io.BytesIO("\n".join(rows).encode("gb18030")), "对账单.csv"), "channel": "银行转账"},
        content_type="multipart/form-data")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def income_form(body: str, project) -> dict:
    keys = re.findall(r'name="income" value="([^"]+)" form="income-form"', body)
    remarks = dict(re.findall(r'name="(remark-\d+)" value="([^"]*)" form="income-form"', body))
    return {"income": keys, **remarks, "channel": "银行转账", "target": f"project-{project.id}"}


def test_two_unmatched_lines_become_two_income_lines_in_one_step(client, finance, project):
    login(client, finance.email)
    posted = income_form(read_statement(client), project)
    assert len(posted["income"]) == 2

    response = client.post("/admin/pledges/statement/income", data=posted)

    assert response.status_code == 303
    entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.occurred_on)).all()
    today = local_today()
    assert [(entry.occurred_on, entry.amount_fen, entry.summary) for entry in entries] == [
        (today - timedelta(days=2), 30_000, "年会现场捐款"), (today - timedelta(days=1), 123_456, "校友会转账")]
    assert all(entry.kind is EntryKind.INCOME and entry.project_id == project.id
               and entry.fund_id == project.fund_id and entry.channel == "银行转账" for entry in entries)
    assert "2 条对账单记录已记为账本收入" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_one_bad_line_refuses_the_whole_step_and_stores_nothing(client, finance, project):
    login(client, finance.email)
    posted = income_form(read_statement(client), project)
    number = posted["income"][1].split(":")[0]
    posted["income"][1] = f"{number}:0:{local_today().isoformat()}"  # a line of ¥0 breaks the ledger's rules

    response = client.post("/admin/pledges/statement/income", data=posted)

    assert response.status_code == 303
    assert line_count() == 0
    assert "未记录任何一行" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_target_that_does_not_exist_is_refused(client, finance, project):
    login(client, finance.email)
    posted = {**income_form(read_statement(client), project), "target": "project-999999"}

    client.post("/admin/pledges/statement/income", data=posted)

    assert line_count() == 0
