"""Recording and voiding ledger lines through finance.ledger (no HTTP)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import line_count, make_entry, make_project
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from charity_site.core.formatting import local_today
from charity_site.core.transaction import transaction
from charity_site.extensions import db
from charity_site.finance import ledger, money, rules
from charity_site.models import AuditLog, CounterpartyType, EntryKind, LedgerEntry


def values(fund, **overrides) -> dict:
    return {"kind": "expense", "occurred_on": date(2024, 10, 12), "amount_fen": 123_450, "fund_id": fund.id,
            "project_id": None, "category": "慰问", "channel": "银行转账", "counterparty": "某某超市",
            "counterparty_type": "organisation", "voucher_no": "ZC-2024-001", "summary": "购买重阳节慰问品",
            "note": "", **overrides}


def test_record_entry_stores_the_line_and_audits_it(fund, finance):
    project = make_project(fund_id=fund.id)
    entry = ledger.record_entry(values(fund, project_id=project.id, summary="  购买慰问品  "), finance)

    db.session.expire_all()
    stored = db.session.get(LedgerEntry, entry.id)
    assert stored.amount_fen == 123_450 and stored.kind is EntryKind.EXPENSE
    assert stored.project_id == project.id and stored.summary == "购买慰问品"
    assert stored.counterparty_type is CounterpartyType.ORGANISATION
    assert stored.created_by_id == finance.id and not stored.voided
    assert money.ledger_totals(LedgerEntry.fund_id == fund.id).expense_fen == 123_450
    audit = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "ledger_entry")).one()
    assert (audit.action, audit.object_id, audit.user_id) == ("create", entry.id, finance.id)
    assert audit.changes["amount_fen"] == [None, 123_450]


@pytest.mark.parametrize("overrides, field", [
    ({"amount_fen": 0}, "amount_fen"),
    ({"amount_fen": -100}, "amount_fen"),
    ({"amount_fen": None}, "amount_fen"),
    ({"fund_id": 999_999}, "fund_id"),
    ({"project_id": 999_999}, "project_id"),
    ({"category": "吃喝"}, "category"),
    ({"category": "捐赠收入"}, "category"),  # an income category on an expense line
    ({"category": ""}, "category"),
    ({"channel": "信用卡"}, "channel"),
    ({"summary": "   "}, "summary"),
    ({"kind": "refund"}, "kind"),
    ({"occurred_on": None}, "occurred_on"),
    ({"counterparty_type": "robot"}, "counterparty_type"),
    ({"summary": "长" * 256}, "summary"),
])
def test_invalid_values_are_refused_and_nothing_is_stored(fund, finance, overrides, field):
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.record_entry(values(fund, **overrides), finance)
    assert refused.value.field == field
    assert refused.value.message
    assert line_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_a_date_in_the_future_is_refused(fund, finance):
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.record_entry(values(fund, occurred_on=local_today() + timedelta(days=1)), finance)
    assert refused.value.field == "occurred_on"


def test_categories_already_in_use_stay_allowed(fund, finance):
    make_entry(fund, 500, EntryKind.EXPENSE, category="老年助餐")
    db.session.commit()
    assert "老年助餐" in rules.allowed_categories(EntryKind.EXPENSE)
    assert "老年助餐" not in rules.allowed_categories(EntryKind.INCOME)
    entry = ledger.record_entry(values(fund, category="老年助餐", voucher_no=""), finance)
    assert entry.category == "老年助餐"


def test_voucher_numbers_are_unique_but_optional(fund, finance):
    with transaction():
        ledger.record_entry(values(fund, voucher_no="PZ-1"), finance)
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.record_entry(values(fund, voucher_no=" PZ-1 "), finance)
    assert refused.value.field == "voucher_no" and "PZ-1" in refused.value.message
    first = ledger.record_entry(values(fund, voucher_no=""), finance)
    second = ledger.record_entry(values(fund, voucher_no=None), finance)
    assert first.voucher_no is None and second.voucher_no is None
    assert line_count() == 3


def test_voiding_keeps_the_line_and_removes_it_from_every_total(fund, finance):
    kept = ledger.record_entry(values(fund, kind="income", category="捐赠收入", amount_fen=500_000,
                                      voucher_no="SR-1"), finance)
    wrong = ledger.record_entry(values(fund, kind="income", category="捐赠收入", amount_fen=50_000,
                                       voucher_no="SR-2"), finance)
    assert money.ledger_totals().income_fen == 550_000

    ledger.void_entry(wrong, "金额录入错误", finance)

    db.session.expire_all()
    voided = db.session.get(LedgerEntry, wrong.id)
    assert voided is not None and voided.amount_fen == 50_000
    assert voided.voided and voided.void_reason == "金额录入错误"
    assert voided.voided_by_id == finance.id and voided.voided_at is not None
    assert money.ledger_totals().income_fen == 500_000
    assert money.fund_totals([fund.id])[fund.id].income_fen == 500_000
    assert db.session.get(LedgerEntry, kept.id).voided is False
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "void")).one()
    assert audit.object_id == wrong.id and audit.changes["void_reason"] == ["", "金额录入错误"]


def test_a_voided_line_cannot_be_voided_again(fund, finance):
    with transaction():
        entry = ledger.record_entry(values(fund), finance)
        ledger.void_entry(entry, "重复登记", finance)
    with pytest.raises(ledger.LedgerError):
        ledger.void_entry(entry, "再次作废", finance)
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).void_reason == "重复登记"
    assert db.session.scalar(select(func.count()).where(AuditLog.action == "void")) == 1


def test_a_stale_copy_cannot_void_a_line_twice(fund, finance):
    """Two people open the same line; the second void finds it already voided in the database."""
    with transaction():
        entry = ledger.record_entry(values(fund), finance)
        ledger.void_entry(entry, "第一次", finance)
    set_committed_value(entry, "voided", False)  # what a stale copy in another request would still believe
    with pytest.raises(ledger.LedgerError):
        ledger.void_entry(entry, "第二次", finance)
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).void_reason == "第一次"


def test_voiding_needs_a_reason(fund, finance):
    with transaction():
        entry = ledger.record_entry(values(fund), finance)
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.void_entry(entry, "   ", finance)
    assert refused.value.field == "reason"
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).voided is False


def test_a_correcting_line_is_a_new_line(fund, finance):
    wrong = ledger.record_entry(values(fund, amount_fen=12_345), finance)
    ledger.void_entry(wrong, "金额错误", finance)
    prefilled = ledger.correction_values(wrong)
    assert prefilled["voucher_no"] == "" and prefilled["summary"] == wrong.summary
    fixed = ledger.record_entry({**prefilled, "amount_fen": 12_354, "voucher_no": "ZC-2024-001-更正"}, finance,
                                corrects=wrong)
    assert fixed.id != wrong.id
    assert money.ledger_totals().expense_fen == 12_354
    audit = db.session.scalars(select(AuditLog).where(AuditLog.object_id == fixed.id)).one()
    assert str(wrong.id) in audit.note
