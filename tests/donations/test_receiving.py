"""Staff work on pledges: confirming makes exactly one ledger line; everything the state machine forbids is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import line_count, login
from factories_donations import giving_ready, make_pledge, open_project
from sqlalchemy import select, update

from charity_site.core.audit import AuditLog
from charity_site.core.formatting import local_today
from charity_site.core.models import IllegalTransition, utcnow
from charity_site.donations import receiving
from charity_site.donations.models import Pledge, PledgeStatus
from charity_site.extensions import db
from charity_site.models import CounterpartyType, EntryKind, LedgerEntry

ALLOWED = {
    (PledgeStatus.PENDING, PledgeStatus.RECEIVED), (PledgeStatus.PENDING, PledgeStatus.CANCELLED),
    (PledgeStatus.PENDING, PledgeStatus.EXPIRED), (PledgeStatus.EXPIRED, PledgeStatus.RECEIVED),
}


@pytest.fixture
def project(app):
    giving_ready()
    return open_project()


def confirm(pledge, actor=None, amount_fen=None, **extra):
    receiving.confirm_receipt(pledge, amount_fen=amount_fen or pledge.amount_fen, received_on=local_today(),
                              channel=extra.get("channel", ""), actor=actor)
    db.session.commit()


@pytest.mark.parametrize("source", list(PledgeStatus))
@pytest.mark.parametrize("target", list(PledgeStatus))
def test_the_state_machine_allows_exactly_the_listed_moves(source, target):
    if (source, target) in ALLOWED:
        assert source.transition(target) is target
    else:
        with pytest.raises(IllegalTransition):
            source.transition(target)


@pytest.mark.parametrize("status", [PledgeStatus.RECEIVED, PledgeStatus.CANCELLED])
def test_a_received_or_cancelled_pledge_cannot_be_confirmed_again_or_cancelled(project, finance, status):
    pledge = make_pledge(project)
    if status is PledgeStatus.RECEIVED:
        confirm(pledge, finance)
    else:
        receiving.cancel(pledge, actor=finance)
        db.session.commit()
    lines = line_count()

    with pytest.raises(receiving.PledgeError):
        receiving.confirm_receipt(pledge, amount_fen=100, received_on=local_today(), channel="", actor=finance)
    db.session.rollback()
    with pytest.raises(receiving.PledgeError):
        receiving.cancel(pledge, actor=finance)
    db.session.rollback()

    assert db.session.get(Pledge, pledge.id).status is status
    assert line_count() == lines


def test_confirming_records_one_income_line_in_the_designated_project_and_fund(project, finance):
    pledge = make_pledge(project, amount_fen=50_000, donor_name="欧阳娜娜")

    confirm(pledge, finance, amount_fen=49_800)

    entry = db.session.scalars(select(LedgerEntry)).one()
    assert (entry.kind, entry.amount_fen, entry.project_id, entry.fund_id) == (
        EntryKind.INCOME, 49_800, project.id, project.fund_id)
    assert entry.category == "捐赠收入" and entry.channel == "银行转账"
    assert entry.counterparty == "欧**" and entry.counterparty_type is CounterpartyType.PERSON
    assert pledge.reference in entry.summary
    pledge = db.session.get(Pledge, pledge.id)
    assert pledge.status is PledgeStatus.RECEIVED and pledge.ledger_entry_id == entry.id
    assert pledge.received_amount_fen == 49_800 and pledge.confirmed_by_id == finance.id
    assert pledge.certificate_label == f"{local_today().year}-000001"


def test_a_refused_ledger_line_leaves_the_pledge_pending(project, finance):
    pledge = make_pledge(project)

    with pytest.raises(receiving.PledgeError):
        receiving.confirm_receipt(pledge, amount_fen=100, received_on=local_today() + timedelta(days=2), channel="",
                                  actor=finance)
    db.session.rollback()

    assert db.session.get(Pledge, pledge.id).status is PledgeStatus.PENDING
    assert line_count() == 0


def test_staff_confirm_through_the_page_and_a_second_confirm_is_refused(app, client, project, finance):
    pledge = make_pledge(project)
    login(client, finance.email)
    data = {"amount": "100.00", "received_on": local_today().isoformat(), "channel": "银行转账"}

    first = client.post(f"/admin/pledges/{pledge.id}/confirm", data=data)
    second = client.post(f"/admin/pledges/{pledge.id}/confirm", data=data)

    assert first.status_code == 303
    assert second.status_code == 409
    assert "不能改为" in second.get_data(as_text=True)
    assert line_count() == 1


def test_expire_command_expires_only_old_pending_pledges_and_is_safe_to_repeat(app, project, finance):
    old, recent, received = make_pledge(project), make_pledge(project), make_pledge(project)
    confirm(received, finance)
    db.session.execute(update(Pledge).where(Pledge.id.in_([old.id, received.id]))
                       .values(created_at=utcnow() - timedelta(days=40)))
    db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["pledges", "expire"])
    second = runner.invoke(args=["pledges", "expire"])

    assert "expired 1 pledges" in first.output and "expired 0 pledges" in second.output
    statuses = {pledge.id: pledge.status for pledge in db.session.scalars(select(Pledge).execution_options(
        populate_existing=True))}
    assert statuses == {old.id: PledgeStatus.EXPIRED, recent.id: PledgeStatus.PENDING,
                        received.id: PledgeStatus.RECEIVED}


def test_an_expired_pledge_can_still_be_received_when_money_turns_up_late(project, finance):
    pledge = make_pledge(project)
    db.session.execute(update(Pledge).values(created_at=utcnow() - timedelta(days=40)))
    receiving.expire_overdue()
    db.session.commit()
    db.session.refresh(pledge)
    assert pledge.status is PledgeStatus.EXPIRED

    confirm(pledge, finance)

    assert db.session.get(Pledge, pledge.id).status is PledgeStatus.RECEIVED
    assert line_count() == 1


def test_erasure_removes_personal_data_and_keeps_the_money(project, finance):
    pledge = make_pledge(project, donor_name="张三丰", phone="13800001111", email="zsf@example.org",
                         message="祝好", show_message=True)
    confirm(pledge, finance)

    receiving.erase_personal_data(pledge, actor=finance)
    db.session.commit()

    pledge = db.session.get(Pledge, pledge.id)
    assert (pledge.donor_name, pledge.phone, pledge.email, pledge.message) == (None, None, None, "")
    assert pledge.received_amount_fen == pledge.amount_fen and pledge.ledger_entry_id is not None
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "erase")).one()
    stored = f"{audit.changes} {audit.note} {audit.object_label}"
    for erased in ("张三丰", "13800001111", "zsf@example.org", "祝好"):
        assert erased not in stored
    for row in db.session.scalars(select(AuditLog)):
        assert "13800001111" not in f"{row.changes} {row.note} {row.object_label}"


def test_a_receipt_number_can_be_recorded_only_for_a_received_gift(project, finance):
    pledge = make_pledge(project)
    with pytest.raises(receiving.PledgeError):
        receiving.record_receipt(pledge, "粤财001", local_today(), actor=finance)
    db.session.rollback()

    confirm(pledge, finance)
    receiving.record_receipt(pledge, "粤财001", local_today(), actor=finance)
    db.session.commit()

    assert db.session.get(Pledge, pledge.id).receipt_number == "粤财001"


def test_when_the_ledger_refuses_the_line_nothing_of_the_confirmation_stays(project, finance, monkeypatch):
    """The status, the certificate number and the line are one unit of work: a refused line undoes them all."""
    from charity_site.core.sequences import NumberSequence
    from charity_site.finance import rules

    pledge = make_pledge(project)
    monkeypatch.setattr(rules, "check_line", lambda values, context=None: rules.CheckedLine(
        values, [rules.LineProblem("category", "分类不对")]))

    with pytest.raises(receiving.PledgeError):
        receiving.confirm_receipt(pledge, amount_fen=100, received_on=local_today(), channel="", actor=finance)
    db.session.commit()

    assert db.session.get(Pledge, pledge.id).status is PledgeStatus.PENDING
    assert db.session.get(Pledge, pledge.id).certificate_number is None
    assert line_count() == 0
    assert db.session.scalars(select(NumberSequence)).all() == []
