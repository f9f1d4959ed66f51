"""Matching a statement: suggestions by reference in the remark or by an unambiguous amount, confirmed in one step."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from factories import line_count, login
from factories_donations import giving_ready, make_pledge, open_project

from charity_site.core.formatting import local_today
from charity_site.donations.models import Pledge, PledgeStatus
from charity_site.extensions import db


@pytest.fixture
def pledges(app):
    giving_ready()
    project = open_project()
    return {"by_reference": make_pledge(project, amount_fen=10_000),
            "by_amount": make_pledge(project, amount_fen=23_456),
            "twin_a": make_pledge(project, amount_fen=5_000), "twin_b": make_pledge(project, amount_fen=5_000)}


def statement_csv(pledges) -> bytes:
    today = local_today()
    rows = ["交易日期,交易金额,附言,对方户名",
            f"{today.isoformat()},100.00,捐款 {pledges['by_reference'].reference.lower()},张三",
            f"{today.isoformat()},234.56,转账,李四",
            f"{today.isoformat()},50.00,,王五",  # two open pledges of ¥50: no guess
            f"{today.isoformat()},-80.00,手续费,银行",
            f"{(today - timedelta(days=1)).isoformat()},999.00,其他收入,赵六"]
    return "\n".join(rows).encode("gb18030")


def test_a_statement_suggests_matches_and_staff_confirm_them_in_one_step(client, finance, pledges):
    login(client, finance.email)

    page = client.post("/admin/pledges/statement", data={
        "file": (io.BytesIO(statement_csv(pledges)), "对账单.csv"), "channel": "银行转账"},
        content_type="multipart/form-data")

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "4 条入账中有 2 条找到了对应的认捐" in body
    assert pledges["by_reference"].reference in body and pledges["by_amount"].reference in body
    assert body.count('name="match"') == 2

    keys = [f"{pledges['by_reference'].id}:10000:{local_today().isoformat()}",
            f"{pledges['by_amount'].id}:23456:{local_today().isoformat()}"]
    response = client.post("/admin/pledges/statement/confirm", data={"match": keys, "channel": "银行转账"})

    assert response.status_code == 303
    assert line_count() == 2
    statuses = {key: db.session.get(Pledge, pledge.id).status for key, pledge in pledges.items()}
    assert statuses == {"by_reference": PledgeStatus.RECEIVED, "by_amount": PledgeStatus.RECEIVED,
                        "twin_a": PledgeStatus.PENDING, "twin_b": PledgeStatus.PENDING}

    again = client.post("/admin/pledges/statement/confirm", data={"match": keys, "channel": "银行转账"})
    assert again.status_code == 303 and line_count() == 2


def test_an_xlsx_statement_is_read_too_and_a_bad_file_is_explained(client, finance, pledges):
    login(client, finance.email)
    workbook = openpyxl.Workbook()
    workbook.active.append(["微信支付账单"])
    workbook.active.append(["交易时间", "金额(元)", "备注"])
    workbook.active.append([local_today().isoformat(), 100, pledges["by_reference"].reference])
    buffer = io.BytesIO()
    workbook.save(buffer)

    page = client.post("/admin/pledges/statement", data={"file": (io.BytesIO(buffer.getvalue()), "wx.xlsx"),
                                                          "channel": "微信"}, content_type="multipart/form-data")
    assert page.status_code == 200 and pledges["by_reference"].reference in page.get_data(as_text=True)

    bad = client.post("/admin/pledges/statement", data={"file": (io.BytesIO(b"x"), "a.pdf"), "channel": "微信"},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "请上传 .csv 或 .xlsx" in bad.get_data(as_text=True)
