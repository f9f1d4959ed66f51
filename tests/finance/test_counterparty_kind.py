"""The counterparty kind has no silent default: staff choose it, and left unset it is read from the name."""

from __future__ import annotations

import re

import pytest
from factories import login
from sqlalchemy import select
from test_admin_ledger import entry_form

from charity_site.core.transaction import transaction
from charity_site.extensions import db
from charity_site.finance import ledger, rules
from charity_site.models import CounterpartyType, LedgerEntry


@pytest.fixture
def finance_client(app, client, finance):
    assert login(client, finance.email).status_code == 302
    return client


@pytest.mark.parametrize("name, kind", [
    ("番禺区某某有限公司", CounterpartyType.ORGANISATION), ("某某超市", CounterpartyType.ORGANISATION),
    ("番禺区社会工作服务中心", CounterpartyType.ORGANISATION), ("大岭村村委", CounterpartyType.ORGANISATION),
    ("市桥街东兴社区居委会", CounterpartyType.ORGANISATION), ("平安银行番禺支行", CounterpartyType.ORGANISATION),
    ("阿明五金店", CounterpartyType.ORGANISATION), ("Acme Ltd", CounterpartyType.ORGANISATION),
    ("张三", CounterpartyType.PERSON), ("欧阳娜娜", CounterpartyType.PERSON), ("", CounterpartyType.PERSON),
])
def test_the_one_rule_reads_the_kind_from_the_name(name, kind):
    assert rules.counterparty_type_for(name) is kind


def test_a_line_saved_without_a_choice_is_shown_publicly_by_its_name(app, client, fund, finance):
    values = {"kind": "income", "occurred_on": __import__("datetime").date(2024, 10, 1), "amount_fen": 500_000,
              "fund_id": fund.id, "category": "捐赠收入", "summary": "企业捐赠"}
    with transaction():
        organisation = ledger.record_entry({**values, "counterparty": "番禺区某某有限公司", "voucher_no": "A-1"}, finance)
        person = ledger.record_entry({**values, "counterparty": "陈大文", "voucher_no": "A-2", "summary": "个人捐赠"},
                                     finance)
    assert organisation.counterparty_type is CounterpartyType.ORGANISATION
    assert person.counterparty_type is CounterpartyType.PERSON
    public = client.get("/ledger/").get_data(as_text=True)
    assert "番禺区某某有限公司" in public and "番*" not in public.replace("番禺区某某有限公司", "")
    assert "陈大文" not in public and "陈**" in public


def test_the_form_has_no_default_and_refuses_a_missing_choice(app, finance_client, fund):
    form = finance_client.get("/admin/ledger/new").get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="counterparty_type"[^>]*>', form)
    assert len(radios) == 2 and not any("checked" in radio for radio in radios)

    refused = finance_client.post("/admin/ledger/new", data=entry_form(
        fund, counterparty="番禺区某某有限公司", counterparty_type=""))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and db.session.scalar(select(LedgerEntry.id)) is None
    assert "请选择个人或机构" in text or "请选择" in text
    # Without JavaScript the page says after the round trip how the name would appear.
    assert re.search(r"公开显示为：\s*<strong[^>]*>番禺区某某有限公司</strong>", text)

    person = finance_client.post("/admin/ledger/new", data=entry_form(
        fund, counterparty="陈大文", counterparty_type="", voucher_no="Z-2"))
    assert re.search(r"公开显示为：\s*<strong[^>]*>陈\*\*</strong>", person.get_data(as_text=True))


def test_the_chosen_kind_wins_over_the_name(app, finance_client, fund):
    saved = finance_client.post("/admin/ledger/new", data=entry_form(
        fund, counterparty="某某超市", counterparty_type="person"))
    assert saved.status_code == 302
    assert db.session.scalar(select(LedgerEntry.counterparty_type)) is CounterpartyType.PERSON


@pytest.mark.parametrize("value", ["robot", "<script>", "person' OR 1=1"])
def test_a_forged_kind_is_refused(app, finance_client, fund, value):
    response = finance_client.post("/admin/ledger/new", data=entry_form(fund, counterparty_type=value))
    assert response.status_code == 400 and db.session.scalar(select(LedgerEntry.id)) is None


def test_the_fund_and_project_menus_are_in_pinyin_order(app, finance_client, fund):
    from factories import make_fund, make_project

    for title in ("番禺区慈善基金", "大岭村社区慈善基金", "慈善救助专项"):
        make_fund(title=title)
    for title in ("助学计划", "安老服务"):
        make_project(title=title)
    db.session.commit()
    form = finance_client.get("/admin/ledger/new").get_data(as_text=True)
    order = [form.index(title) for title in ("慈善救助专项", "大岭村社区慈善基金", "番禺区慈善基金")]
    assert order == sorted(order)  # ci, da, fan: as in a dictionary, not by code point (番 < 慈 < 大)
    assert form.index("安老服务") < form.index("助学计划")
