"""The staff pledge list: finance role only, filters, search by reference/phone/name, pagination, exports."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from factories import login, make_user
from factories_donations import giving_ready, make_pledge, open_project

from charity_site.core.formatting import local_today
from charity_site.donations import receiving
from charity_site.donations.models import PaymentMethod
from charity_site.extensions import db


@pytest.fixture
def pledges(app, finance):
    giving_ready()
    project = open_project()
    made = [make_pledge(project, donor_name=f"捐赠人{n}", phone=f"1380000{n:04d}", email=f"d{n}@example.org")
            for n in range(30)]
    make_pledge(project, donor_name="支付宝用户", phone="13999990000", method=PaymentMethod.ALIPAY)
    receiving.confirm_receipt(made[0], amount_fen=made[0].amount_fen, received_on=local_today(), channel="",
                              actor=finance)
    db.session.commit()
    return made


@pytest.mark.parametrize("url", ["/admin/pledges/", "/admin/pledges/export.csv", "/admin/pledges/export.xlsx",
                                 "/admin/pledges/settings", "/admin/pledges/campaigns"])
def test_only_the_finance_role_opens_the_pledge_pages(app, client, pledges, url):
    assert client.get(url).status_code == 302  # to the sign-in page
    editor = make_user("editor@example.org", roles=("editor",))
    login(client, editor.email)
    assert client.get(url).status_code == 403


def test_the_list_filters_searches_and_pages(client, finance, pledges):
    login(client, finance.email)

    first_page = client.get("/admin/pledges/").get_data(as_text=True)
    assert "共 31 笔认捐" in first_page and "下一页" in first_page
    assert "13800000005" not in first_page  # phones are masked in the list
    assert pledges[5].reference in client.get("/admin/pledges/?q=0005").get_data(as_text=True)
    by_reference = client.get(f"/admin/pledges/?q={pledges[7].reference.lower()}").get_data(as_text=True)
    assert "共 1 笔认捐" in by_reference
    assert "共 1 笔认捐" in client.get("/admin/pledges/?status=received").get_data(as_text=True)
    assert "共 1 笔认捐" in client.get("/admin/pledges/?method=alipay").get_data(as_text=True)
    assert "共 1 笔认捐" in client.get("/admin/pledges/?q=捐赠人12").get_data(as_text=True)
    assert client.get("/admin/pledges/?page=99").status_code == 404
    assert client.get("/admin/pledges/?status=nonsense&from=2026-99-99").status_code == 200


def test_csv_export_has_a_bom_and_every_pledge(client, finance, pledges):
    login(client, finance.email)

    response = client.get("/admin/pledges/export.csv")

    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "认捐编号" and len(rows) == 32
    assert response.headers["Cache-Control"] == "private, no-store"


def test_xlsx_export_follows_the_filters(client, finance, pledges):
    login(client, finance.email)

    response = client.get("/admin/pledges/export.xlsx?status=received")

    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    assert len(rows) == 2 and rows[1][0] == pledges[0].reference


def test_a_formula_typed_as_a_name_is_exported_as_text(client, app, finance):
    giving_ready()
    make_pledge(open_project(), donor_name="=HYPERLINK(1)")
    login(client, finance.email)

    rows = list(csv.reader(io.StringIO(client.get("/admin/pledges/export.csv").data.decode("utf-8-sig"))))

    assert rows[1][7] == "'=HYPERLINK(1)"
