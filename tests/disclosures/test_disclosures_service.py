"""The disclosure service: drafts, publication as revision 1, corrections with a reason, withdrawal, permanence."""

from __future__ import annotations

import io
from datetime import date

import pytest
from factories import make_disclosure, make_fund, make_project, make_user
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from charity_site.core.transaction import transaction
from charity_site.disclosures import operations as service
from charity_site.disclosures import queries as disclosures_queries
from charity_site.extensions import db
from charity_site.files import kinds
from charity_site.models import (
    Attachment,
    AuditLog,
    Disclosure,
    DisclosureKind,
    DisclosureRevision,
    DisclosureStatus,
    SearchEntry,
)


def values(**overrides) -> dict:
    return {"kind": DisclosureKind.FUND_USE, "title": "关于2024年第四季度助学金使用情况的公示",
            "summary": "四季度发放助学金。", "body_md": "## 一、基本情况\n\n发放助学金 10 人。\n\n## 二、支出\n\n合计 12,000 元。",
            "period_start": date(2024, 10, 1), "period_end": date(2024, 12, 31), "project_ids": [],
            "fund_id": None, **overrides}


def actions(disclosure_id: int) -> list[str]:
    return list(db.session.scalars(
        select(AuditLog.action).where(AuditLog.object_type == "disclosure", AuditLog.object_id == disclosure_id)
        .order_by(AuditLog.id)
    ))


def revisions(disclosure_id: int) -> list[DisclosureRevision]:
    return list(db.session.scalars(
        select(DisclosureRevision).where(DisclosureRevision.disclosure_id == disclosure_id)
        .order_by(DisclosureRevision.number)
    ))


def pdf_upload(name: str = "审计报告.pdf") -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return FileStorage(stream=io.BytesIO(buffer.getvalue()), filename=name, content_type="application/pdf")


@pytest.fixture
def staff(app):
    return make_user("finance@example.org", roles=("finance",))


def published_one(staff) -> Disclosure:
    """A disclosure published by earlier requests (committed)."""
    with transaction():
        draft = service.create_draft(values(), actor=staff)
        return service.publish(draft, actor=staff)


def test_a_draft_is_private_and_publishing_creates_revision_one(app, staff):
    draft = service.create_draft(values(), actor=staff)
    assert draft.status is DisclosureStatus.DRAFT and draft.published_at is None
    assert revisions(draft.id) == []
    entry = db.session.scalars(select(SearchEntry).where(SearchEntry.kind == "disclosure")).one()
    assert entry.is_public is False

    service.publish(draft, actor=staff)
    assert draft.status is DisclosureStatus.PUBLISHED and draft.published_at is not None
    [first] = revisions(draft.id)
    assert (first.number, first.title, first.body_md, first.reason) == (1, draft.title, draft.body_md, "")
    assert actions(draft.id) == ["create", "publish"]
    db.session.expire_all()
    assert db.session.scalars(select(SearchEntry).where(SearchEntry.kind == "disclosure")).one().is_public is True


def test_a_draft_can_be_edited_freely_but_a_stale_edit_is_refused(app, staff):
    with transaction():
        draft = service.create_draft(values(), actor=staff)
        version = draft.version
        service.update_draft(draft, values(title="关于助学金的公示（修改）"), expected_version=version, actor=staff)
    assert draft.title == "关于助学金的公示（修改）"
    with pytest.raises(service.StaleEdit):
        service.update_draft(draft, values(title="旧页面上的修改"), expected_version=version, actor=staff)
    db.session.expire_all()
    assert db.session.get(Disclosure, draft.id).title == "关于助学金的公示（修改）"
    assert actions(draft.id) == ["create", "update"]


def test_period_end_before_start_is_refused(app, staff):
    with pytest.raises(service.EditError) as error:
        service.create_draft(values(period_start=date(2024, 12, 31), period_end=date(2024, 1, 1)), actor=staff)
    assert error.value.field == "period_end"
    assert db.session.scalar(select(func.count()).select_from(Disclosure)) == 0


def test_a_published_disclosure_cannot_be_edited_as_a_draft(app, staff):
    disclosure = published_one(staff)
    with pytest.raises(service.EditError):
        service.update_draft(disclosure, values(body_md="悄悄改掉"), actor=staff)
    db.session.expire_all()
    assert db.session.get(Disclosure, disclosure.id).body_md == values()["body_md"]


@pytest.mark.parametrize("reason", [None, "", "   \n "])
def test_revising_without_a_reason_is_refused_and_changes_nothing(app, staff, reason):
    disclosure = published_one(staff)
    version = disclosure.version
    with pytest.raises(service.EditError) as error:
        service.revise(disclosure, values(body_md="新的正文"), reason, actor=staff)
    assert error.value.field == "reason" and error.value.message
    db.session.expire_all()
    kept = db.session.get(Disclosure, disclosure.id)
    assert kept.body_md == values()["body_md"] and kept.version == version
    assert [revision.number for revision in revisions(disclosure.id)] == [1]
    assert actions(disclosure.id) == ["create", "publish"]


def test_a_correction_adds_a_revision_and_keeps_the_earlier_one_unchanged(app, staff):
    disclosure = published_one(staff)
    original_body = disclosure.body_md
    corrected_body = original_body.replace("12,000", "12,600")
    revision = service.revise(disclosure, values(body_md=corrected_body), "支出合计误写，更正为12,600元。",
                              actor=staff)
    assert revision.number == 2 and revision.reason == "支出合计误写，更正为12,600元。"
    db.session.expire_all()
    first, second = revisions(disclosure.id)
    assert first.body_md == original_body and first.reason == ""
    assert second.body_md == corrected_body
    assert db.session.get(Disclosure, disclosure.id).body_md == corrected_body
    assert actions(disclosure.id) == ["create", "publish", "revise"]

    third = service.revise(db.session.get(Disclosure, disclosure.id), values(body_md=corrected_body, title="新标题"),
                           "标题更正。", actor=staff)
    assert third.number == 3
    assert [r.body_md for r in revisions(disclosure.id)[:2]] == [original_body, corrected_body]


def test_a_correction_that_changes_nothing_is_refused(app, staff):
    disclosure = published_one(staff)
    with pytest.raises(service.EditError):
        service.revise(disclosure, values(), "没有改动", actor=staff)
    with pytest.raises(service.EditError):  # a browser sends the same text with CRLF line ends
        service.revise(disclosure, values(body_md=values()["body_md"].replace("\n", "\r\n")), "没有改动",
                       actor=staff)
    assert len(revisions(disclosure.id)) == 1


def test_diff_lines_show_removed_and_added_lines():
    lines = disclosures_queries.diff_lines("一\n二\n三\n四", "一\n二点五\n三\n四\n五")
    assert [(line.op, line.text) for line in lines if line.op in ("removed", "added")] == [
        ("removed", "二"), ("added", "二点五"), ("added", "五")]
    assert disclosures_queries.diff_lines("同样", "同样") == []


def test_withdrawal_needs_a_reason_and_keeps_the_disclosure_public(app, staff):
    disclosure = published_one(staff)
    with pytest.raises(service.EditError) as error:
        service.withdraw(disclosure, "  ", actor=staff)
    assert error.value.field == "withdrawn_reason"
    assert db.session.get(Disclosure, disclosure.id).status is DisclosureStatus.PUBLISHED

    with transaction():
        service.withdraw(disclosure, "项目数据有误，将另行公示。", actor=staff)
    db.session.expire_all()
    kept = db.session.get(Disclosure, disclosure.id)
    assert kept.status is DisclosureStatus.WITHDRAWN and kept.withdrawn_at is not None
    assert kept.withdrawn_reason == "项目数据有误，将另行公示。"
    assert db.session.scalar(select(Disclosure.id).where(Disclosure.public_clause())) == kept.id
    with pytest.raises(service.EditError):
        service.revise(kept, values(body_md="撤回后再改"), "理由", actor=staff)
    with pytest.raises(service.EditError):
        service.withdraw(kept, "再撤回一次", actor=staff)
    assert actions(kept.id)[-1] == "withdraw"


def test_a_published_or_withdrawn_disclosure_can_never_be_deleted(app, staff):
    disclosure = published_one(staff)
    with pytest.raises(service.EditError):
        service.delete_draft(disclosure, actor=staff)
    with transaction():
        service.withdraw(disclosure, "撤回", actor=staff)
    with pytest.raises(service.EditError):
        service.delete_draft(disclosure, actor=staff)
    db.session.expire_all()
    assert db.session.get(Disclosure, disclosure.id) is not None
    assert len(revisions(disclosure.id)) == 1


def test_a_draft_may_be_deleted_and_its_files_stay_in_the_library(app, staff):
    draft = service.create_draft(values(), actor=staff)
    attachment = service.attach_pdf(draft, pdf_upload(), "审计报告", actor=staff)
    draft_id, attachment_id = draft.id, attachment.id
    service.delete_draft(draft, actor=staff)
    db.session.expire_all()
    assert db.session.get(Disclosure, draft_id) is None
    kept = db.session.get(Attachment, attachment_id)
    assert kept is not None and kept.disclosure_id is None
    assert actions(draft_id) == ["create", "attach", "delete"]


def test_attachments_are_pdf_only_and_permanent_once_published(app, staff):
    with transaction():
        draft = service.create_draft(values(), actor=staff)
    png = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(png, "PNG")
    with pytest.raises(kinds.UploadRejected):
        service.attach_pdf(draft, FileStorage(stream=io.BytesIO(png.getvalue()), filename="a.png"), "图", actor=staff)
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0

    with transaction():
        first = service.attach_pdf(draft, pdf_upload(), "初稿附件", actor=staff)
        service.detach(draft, first.id, actor=staff)  # a draft's attachment may be taken off
        assert db.session.get(Attachment, first.id).disclosure_id is None

        kept = service.attach_pdf(draft, pdf_upload(), "审计报告", actor=staff)
        service.publish(db.session.get(Disclosure, draft.id), actor=staff)
    with pytest.raises(service.EditError):
        service.detach(db.session.get(Disclosure, draft.id), kept.id, actor=staff)
    db.session.expire_all()
    assert [a.id for a in db.session.get(Disclosure, draft.id).attachments] == [kept.id]


def test_project_and_fund_must_exist(app, staff):
    fund = make_fund()
    project = make_project(fund_id=fund.id)
    db.session.commit()
    created = service.create_draft(values(project_ids=[project.id], fund_id=fund.id), actor=staff)
    assert created.project_ids == [project.id]
    with pytest.raises(service.EditError) as error:
        service.create_draft(values(project_ids=[project.id, project.id + 999]), actor=staff)
    assert error.value.field == "project_ids"


def test_a_correction_changing_the_projects_is_on_record(app, staff):
    """Published is permanent: a correction that adds a project keeps the earlier link in the audit log."""
    first, second = make_project(title="甲项目"), make_project(title="乙项目")
    draft = service.create_draft(values(project_ids=[first.id]), actor=staff)
    service.publish(draft, actor=staff)
    db.session.commit()
    service.revise(draft, values(project_ids=[first.id, second.id]), "本报告也涵盖乙项目，补充关联。", actor=staff)
    db.session.commit()
    assert draft.project_ids == sorted([first.id, second.id])
    change = db.session.scalars(select(AuditLog).where(AuditLog.object_id == draft.id,
                                                       AuditLog.action == "revise")).one()
    assert change.changes["project_ids"] == [[first.id], sorted([first.id, second.id])]


def test_factory_disclosure_can_be_corrected(app, staff):
    disclosure = make_disclosure(body_md="原文")
    db.session.commit()
    service.revise(disclosure, {**values(), "title": disclosure.title, "summary": disclosure.summary,
                                "body_md": "更正后", "kind": disclosure.kind, "period_start": None,
                                "period_end": None}, "更正", actor=staff)
    assert [r.body_md for r in revisions(disclosure.id)] == ["原文", "更正后"]
