"""Transactions compose: operations flush, one place commits, a failure leaves nothing behind.

What another connection sees (``committed``) is what a visitor would see: only committed rows.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from factories import login
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from charity_site.core.editing import save_item
from charity_site.core.models import PublicationStatus
from charity_site.core.transaction import operation, transaction
from charity_site.extensions import db
from charity_site.files.uploads import store_upload
from charity_site.finance import admin_ledger, ledger
from charity_site.finance.funds import FUND
from charity_site.models import AuditLog, Fund, LedgerEntry, StaffUser
from charity_site.staff import accounts

NEW_PASSWORD = "Zhongwen-mima-2024"


def committed(model, *conditions) -> int:
    """Rows that another connection sees: only what was committed."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model).where(*conditions))


def in_session(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def line_values(fund, **overrides) -> dict:
    return {"kind": "expense", "occurred_on": date(2024, 10, 12), "amount_fen": 123_450, "fund_id": fund.id,
            "project_id": None, "category": "慰问", "channel": "银行转账", "counterparty": "某某超市",
            "counterparty_type": "organisation", "voucher_no": "ZC-2024-001", "summary": "购买重阳节慰问品",
            "note": "", **overrides}


LEDGER_AUDIT = AuditLog.object_type == "ledger_entry"


@operation
def record_then_refuse(values: dict, user) -> None:
    """A composed operation whose second step refuses after the line was written (as a pledge's might)."""
    ledger.record_entry(values, user)
    raise ledger.LedgerError(None, "The next step refused.")


# --- an operation's failure -------------------------------------------------------------------------------

def test_a_failure_after_a_ledger_line_leaves_neither_the_line_nor_its_audit_row(fund, finance):
    with transaction():
        with pytest.raises(ledger.LedgerError):
            record_then_refuse(line_values(fund), finance)
        # The caller caught the error and goes on; what it commits holds nothing of the failed work.
        assert in_session(LedgerEntry) == 0 and in_session(AuditLog, LEDGER_AUDIT) == 0

    assert committed(LedgerEntry) == 0
    assert committed(AuditLog, LEDGER_AUDIT) == 0


def test_a_line_whose_audit_row_cannot_be_written_is_not_kept(fund, finance, monkeypatch):
    def audit_fails(*args, **kwargs):
        db.session.flush()  # the line is in the database's transaction by now
        raise RuntimeError("audit storage failed")

    monkeypatch.setattr(ledger, "record_audit", audit_fails)
    with transaction(), pytest.raises(RuntimeError):
        ledger.record_entry(line_values(fund), finance)

    assert committed(LedgerEntry) == 0 and in_session(LedgerEntry) == 0


def test_a_failure_undoes_the_whole_unit_of_work_including_earlier_operations(fund, finance):
    with pytest.raises(ledger.LedgerError), transaction():
        save_item(FUND, None, {"title": "助学基金", "slug": "", "summary": "", "body_md": "",
                               "status": PublicationStatus.PUBLISHED}, actor=finance)
        ledger.record_entry(line_values(fund, amount_fen=0), finance)

    assert committed(Fund, Fund.title == "助学基金") == 0
    assert committed(AuditLog) == 0


# --- composing --------------------------------------------------------------------------------------------

def test_two_operations_in_one_transaction_commit_together(fund, finance):
    with transaction():
        new_fund = save_item(FUND, None, {"title": "助学基金", "slug": "", "summary": "", "body_md": "",
                                          "status": PublicationStatus.PUBLISHED}, actor=finance)
        ledger.record_entry(line_values(new_fund, kind="income", category="捐赠收入"), finance)
        assert committed(Fund, Fund.title == "助学基金") == 0  # neither operation committed on its own
        assert committed(LedgerEntry) == 0

    assert committed(Fund, Fund.title == "助学基金") == 1
    assert committed(LedgerEntry, LedgerEntry.fund_id == new_fund.id) == 1
    assert committed(AuditLog, AuditLog.action == "create", AuditLog.object_type.in_(("fund", "ledger_entry"))) == 2


def test_only_the_outermost_transaction_commits(fund, finance):
    with transaction():
        with transaction():
            ledger.record_entry(line_values(fund), finance)
        assert committed(LedgerEntry) == 0
    assert committed(LedgerEntry) == 1


def test_an_exception_rolls_the_transaction_back(fund, finance):
    with pytest.raises(KeyError), transaction():
        ledger.record_entry(line_values(fund), finance)
        raise KeyError("something after the operation")

    assert committed(LedgerEntry) == 0 and in_session(LedgerEntry) == 0


# --- requests ---------------------------------------------------------------------------------------------

@pytest.fixture
def finance_client(client, finance):
    assert login(client, finance.email).status_code == 302
    return client


def entry_form(fund, **overrides) -> dict:
    return {"kind": "expense", "occurred_on": "2024-10-12", "amount_fen": "1,234.50", "fund_id": str(fund.id),
            "project_id": "", "category": "慰问", "channel": "银行转账", "counterparty": "某某超市",
            "counterparty_type": "organisation", "voucher_no": "ZC-1", "summary": "购买重阳节慰问品", "note": "",
            **overrides}


def test_a_request_commits_when_it_ends_well(finance_client, fund):
    response = finance_client.post("/admin/ledger/new", data=entry_form(fund))
    assert response.status_code == 302
    assert committed(LedgerEntry) == 1 and committed(AuditLog, LEDGER_AUDIT) == 1


def test_a_request_whose_view_raises_after_an_operation_leaves_nothing(finance_client, fund, monkeypatch):
    def page_fails(*args, **kwargs):
        raise RuntimeError("the page could not be drawn")

    monkeypatch.setattr(admin_ledger, "flash", page_fails)  # called after ledger.record_entry succeeded
    response = finance_client.post("/admin/ledger/new", data=entry_form(fund))

    assert response.status_code == 500
    assert committed(LedgerEntry) == 0 and committed(AuditLog, LEDGER_AUDIT) == 0
    assert in_session(LedgerEntry) == 0


def test_a_refused_request_stores_nothing(finance_client, fund):
    response = finance_client.post("/admin/ledger/new", data=entry_form(fund, amount_fen="0"))
    assert response.status_code == 400
    assert committed(LedgerEntry) == 0 and committed(AuditLog, LEDGER_AUDIT) == 0


def test_a_refused_sign_in_keeps_its_audit_row(client, finance):
    response = login(client, finance.email, password="not-the-password")
    assert response.status_code == 401
    assert committed(AuditLog, AuditLog.action == "login_failed") == 1


# --- CLI commands -----------------------------------------------------------------------------------------

def create_user_command(runner):
    return runner.invoke(args=["users", "create", "new@example.org", "--role", "editor", "--password-stdin"],
                         input=f"{NEW_PASSWORD}\n")


def test_a_cli_command_commits_its_work(runner):
    result = create_user_command(runner)
    assert result.exit_code == 0, result.output
    assert committed(StaffUser, StaffUser.email == "new@example.org") == 1
    assert committed(AuditLog, AuditLog.object_type == "staff_user") == 1


def test_a_cli_command_that_fails_leaves_nothing(runner, monkeypatch):
    def audit_fails(*args, **kwargs):
        raise RuntimeError("audit storage failed")

    monkeypatch.setattr(accounts, "record_audit", audit_fails)  # after the account was written
    result = create_user_command(runner)

    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert committed(StaffUser, StaffUser.email == "new@example.org") == 0
    assert in_session(StaffUser, StaffUser.email == "new@example.org") == 0


# --- files written for a unit of work ---------------------------------------------------------------------

def png_upload() -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return FileStorage(stream=io.BytesIO(buffer.getvalue()), filename="photo.png", content_type="image/png")


def test_an_upload_whose_unit_of_work_rolls_back_leaves_no_file(app):
    with pytest.raises(RuntimeError), transaction():
        attachment = store_upload(png_upload(), title="照片")
        stored = Path(app.config["UPLOAD_DIR"]) / attachment.stored_name
        assert stored.is_file()
        raise RuntimeError("a later step failed")

    assert not stored.exists()
    assert not any(path.is_file() for path in Path(app.config["UPLOAD_DIR"]).rglob("*"))


def test_an_upload_that_commits_keeps_its_file(app):
    with transaction():
        attachment = store_upload(png_upload(), title="照片")
    db.session.rollback()  # a later unit of work that rolls back does not touch it
    assert (Path(app.config["UPLOAD_DIR"]) / attachment.stored_name).is_file()
