"""An import is one batch: its lines say where they came from, and staff can void the whole batch with one reason."""

from __future__ import annotations

import re

import pytest
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, login, make_entry, make_fund, make_user
from sqlalchemy import func, select
from test_ledger_import import sample_rows, write, xlsx_bytes

from charity_site.extensions import db
from charity_site.finance import batches, ledger, ledger_import, money, summaries
from charity_site.models import AuditLog, EntryKind, FundMoney, LedgerBatch, LedgerEntry


def import_file(finance, tmp_path, rows, name="十月.xlsx") -> LedgerBatch:
    preview = ledger_import.build_preview(write(tmp_path, name, xlsx_bytes(rows)), "xlsx", name)
    assert preview.ok, [problem.message for problem in preview.problems]
    batch = ledger_import.import_batch(preview, finance, sha256="abc")
    db.session.commit()
    return batch


def fund_money(fund) -> tuple[int, int]:
    row = db.session.get(FundMoney, fund.id)
    db.session.refresh(row)
    return row.income_fen, row.expense_fen


@pytest.fixture
def finance_client(app, client, finance, tmp_path):
    app.config["LEDGER_IMPORT_DIR"] = str(tmp_path / "imports")
    assert login(client, finance.email).status_code == 302
    return client


def test_every_imported_line_records_its_batch(app, tmp_path, fund, finance):
    by_hand = make_entry(fund, 500)
    batch = import_file(finance, tmp_path, sample_rows(4))
    assert (batch.filename, batch.line_count, batch.created_by_id) == ("十月.xlsx", 4, finance.id)
    batch_ids = set(db.session.scalars(select(LedgerEntry.batch_id).where(LedgerEntry.id != by_hand.id)))
    assert batch_ids == {batch.id}
    assert db.session.get(LedgerEntry, by_hand.id).batch_id is None


def test_voiding_a_batch_takes_exactly_its_sum_out_of_every_total(app, tmp_path, fund, finance, runner):
    make_entry(fund, 100_000)  # a line recorded by hand stays
    first = import_file(finance, tmp_path, sample_rows(3), "九月.xlsx")
    second = import_file(finance, tmp_path, sample_rows(5, start=10), "十月.xlsx")
    already = db.session.scalars(select(LedgerEntry).where(LedgerEntry.batch_id == second.id)
                                 .order_by(LedgerEntry.id)).first()
    ledger.void_entry(already, "单独作废：金额有误", finance)
    db.session.commit()
    live = batches.batch_money(second.id)
    assert live.lines == 5 and live.live_lines == 4
    before_fund, before_totals = fund_money(fund), money.ledger_totals()

    count = batches.void_batch(second, "重复导入，整批作废", finance)
    db.session.commit()

    assert count == 4
    after_fund, after_totals = fund_money(fund), money.ledger_totals()
    assert after_fund == (before_fund[0] - live.income_fen, before_fund[1] - live.expense_fen)
    assert after_totals.income_fen == before_totals.income_fen - live.income_fen
    assert after_totals.expense_fen == before_totals.expense_fen - live.expense_fen
    assert summaries.differences() == []
    assert runner.invoke(args=["ledger", "rebuild-totals", "--check"]).exit_code == 0
    reasons = dict(db.session.execute(select(LedgerEntry.id, LedgerEntry.void_reason)
                                      .where(LedgerEntry.batch_id == second.id)).all())
    assert reasons.pop(already.id) == "单独作废：金额有误"
    assert set(reasons.values()) == {"重复导入，整批作废"}
    assert not any(db.session.scalars(select(LedgerEntry.voided).where(LedgerEntry.batch_id == first.id)))
    audits = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "ledger_batch")).all()
    assert len(audits) == 1 and audits[0].changes["lines"] == [None, 4] and audits[0].object_id == second.id
    db.session.refresh(second)
    assert second.voided and second.void_reason == "重复导入，整批作废"


def test_a_batch_is_voided_once(app, tmp_path, fund, finance):
    batch = import_file(finance, tmp_path, sample_rows(2))
    batches.void_batch(batch, "错了", finance)
    db.session.commit()
    with pytest.raises(ledger.AlreadyVoided):
        batches.void_batch(batch, "又错了", finance)
    with pytest.raises(ledger.LedgerError):
        batches.void_batch(import_file(finance, tmp_path, sample_rows(2, start=5), "b.xlsx"), "   ", finance)


def test_the_staff_ledger_links_a_line_to_its_batch_page(app, finance_client, tmp_path, fund, finance):
    batch = import_file(finance, tmp_path, sample_rows(3))
    listing = finance_client.get("/admin/ledger/").get_data(as_text=True)
    assert f'href="/admin/ledger/batches/{batch.id}"' in listing
    line = db.session.scalars(select(LedgerEntry).where(LedgerEntry.batch_id == batch.id)).first()
    assert f'href="/admin/ledger/batches/{batch.id}"' in finance_client.get(f"/admin/ledger/{line.id}").get_data(
        as_text=True)
    page = finance_client.get(f"/admin/ledger/batches/{batch.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "十月.xlsx" in text and "第1笔 重阳敬老" in text and "第3笔 重阳敬老" in text
    assert (finance.display_name or finance.email) in text
    assert "十月.xlsx" in finance_client.get("/admin/ledger/batches/").get_data(as_text=True)


def test_an_import_page_shows_a_line_voided_on_its_own_with_its_reason(app, finance_client, tmp_path, fund, finance):
    batch = import_file(finance, tmp_path, sample_rows(3))
    line = db.session.scalars(select(LedgerEntry).where(LedgerEntry.batch_id == batch.id).order_by(LedgerEntry.id)).first()
    ledger.void_entry(line, "金额录错，已另行更正", finance)
    db.session.commit()
    page = finance_client.get(f"/admin/ledger/batches/{batch.id}").get_data(as_text=True)
    row = re.search(r'<tr class="is-voided">(.*?)</tr>', page, re.S).group(1)
    assert line.summary in row and "金额录错，已另行更正" in row and (line.counterparty or "—") in row
    assert f'class="batch-link" href="/admin/ledger/batches/{batch.id}"' not in page  # not a link to itself


def test_voiding_a_batch_through_the_page(app, finance_client, tmp_path, fund, finance):
    batch = import_file(finance, tmp_path, sample_rows(3))
    form = finance_client.get(f"/admin/ledger/batches/{batch.id}/void")
    assert form.status_code == 200 and "3" in form.get_data(as_text=True)
    empty = finance_client.post(f"/admin/ledger/batches/{batch.id}/void", data={"reason": " "})
    assert empty.status_code == 400
    done = finance_client.post(f"/admin/ledger/batches/{batch.id}/void", data={"reason": "文件导入两次"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/ledger/batches/{batch.id}")
    assert db.session.scalar(select(func.count()).where(LedgerEntry.batch_id == batch.id,
                                                        LedgerEntry.voided.is_(True))) == 3
    page = finance_client.get(f"/admin/ledger/batches/{batch.id}").get_data(as_text=True)
    assert "文件导入两次" in page
    again = finance_client.post(f"/admin/ledger/batches/{batch.id}/void", data={"reason": "再来"})
    assert again.status_code == 302  # already voided: back to the batch page, nothing changes
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.object_type == "ledger_batch")) == 1


@pytest.mark.parametrize("url", ["/admin/ledger/batches/999999", "/admin/ledger/batches/999999/void",
                                 "/admin/ledger/batches/abc", "/admin/ledger/batches/-1",
                                 "/admin/ledger/batches/1/void?page=x", "/admin/ledger/batches/?page=-5%00"])
def test_hostile_batch_addresses_are_4xx(app, finance_client, url):
    status = finance_client.get(url).status_code
    assert 400 <= status < 500 or (url.startswith("/admin/ledger/batches/?") and status == 200), (url, status)


def test_an_overlong_reason_is_refused(app, finance_client, tmp_path, fund, finance):
    batch = import_file(finance, tmp_path, sample_rows(2))
    response = finance_client.post(f"/admin/ledger/batches/{batch.id}/void", data={"reason": "长" * 5000})
    assert response.status_code == 400
    assert not db.session.get(LedgerBatch, batch.id).voided


def test_a_coordinator_or_editor_gets_403(app, client, tmp_path, fund, finance):
    batch = import_file(finance, tmp_path, sample_rows(2))
    for role in ("coordinator", "editor"):
        make_user(f"{role}@example.org", roles=(role,))
        other = app.test_client()
        login(other, f"{role}@example.org")
        for url in ("/admin/ledger/batches/", f"/admin/ledger/batches/{batch.id}",
                    f"/admin/ledger/batches/{batch.id}/void"):
            assert other.get(url).status_code == 403, (role, url)
        assert other.post(f"/admin/ledger/batches/{batch.id}/void", data={"reason": "x"}).status_code == 403
    assert not db.session.get(LedgerBatch, batch.id).voided


def test_the_public_ledger_shows_nothing_of_batches(app, client, tmp_path, fund, finance):
    batch = import_file(finance, tmp_path, sample_rows(2), "内部文件名.xlsx")
    text = client.get("/ledger/").get_data(as_text=True)
    assert "内部文件名" not in text and f"/admin/ledger/batches/{batch.id}" not in text
    assert client.get(f"/admin/ledger/batches/{batch.id}").status_code in (302, 401, 403)


def test_a_void_needs_the_csrf_token(database_url, tmp_path):
    with configured_app(database_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        fund = make_fund(title="番禺区慈善基金")
        finance = make_user("finance@example.org", roles=("finance",))
        db.session.commit()
        batch = import_file(finance, tmp_path, sample_rows(2))
        client = app.test_client()
        page = client.get("/admin/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/admin/login", data={"email": finance.email, "password": DEFAULT_TEST_PASSWORD,
                                          "csrf_token": token})
        assert client.post(f"/admin/ledger/batches/{batch.id}/void", data={"reason": "伪造"}).status_code == 400
        assert not db.session.get(LedgerBatch, batch.id).voided
        form = client.get(f"/admin/ledger/batches/{batch.id}/void").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        done = client.post(f"/admin/ledger/batches/{batch.id}/void", data={"reason": "文件有误", "csrf_token": token})
        assert done.status_code == 302
        db.session.expire_all()
        assert db.session.get(LedgerBatch, batch.id).voided
        assert fund.id and db.session.scalar(select(func.count()).where(
            LedgerEntry.batch_id == batch.id, LedgerEntry.voided.is_(False))) == 0


def test_the_kind_of_lines_is_kept_per_line(app, tmp_path, fund, finance):
    batch = import_file(finance, tmp_path, sample_rows(4))
    kinds = set(db.session.scalars(select(LedgerEntry.kind).where(LedgerEntry.batch_id == batch.id)))
    assert kinds == {EntryKind.INCOME, EntryKind.EXPENSE}
