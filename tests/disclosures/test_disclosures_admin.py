"""Staff pages for disclosures: who may use them, drafts, prefilled forms, corrections, withdrawal, permanence."""

from __future__ import annotations

import io

import pytest
from factories import login, make_disclosure, make_fund, make_project, make_user
from PIL import Image
from sqlalchemy import func, select

from charity_site.extensions import db
from charity_site.models import Attachment, Disclosure, DisclosureRevision, DisclosureStatus

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def signed_in(app, role: str):
    user = make_user(f"{role}@example.org", roles=(role,))
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def form(**overrides) -> dict:
    return {"kind": "fund_use", "title": "关于2024年第四季度助学金使用情况的公示", "summary": "",
            "period_start": "2024-10-01", "period_end": "2024-12-31", "fund_id": "",
            "body_md": "## 支出\n\n合计 12,000 元。", "version": "", **overrides}


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return buffer.getvalue()


@pytest.mark.parametrize("role", ["editor", "finance"])
def test_editor_and_finance_write_publish_and_correct(app, role):
    client = signed_in(app, role)
    assert client.get("/admin/disclosures/").status_code == 200
    response = client.post("/admin/disclosures/new", data=form())
    assert response.status_code == 302
    disclosure = db.session.scalars(select(Disclosure)).one()
    assert disclosure.status is DisclosureStatus.DRAFT
    assert client.get(f"/disclosures/{disclosure.id}").status_code == 404

    assert client.post(f"/admin/disclosures/{disclosure.id}/publish").status_code == 302
    db.session.expire_all()
    assert disclosure.status is DisclosureStatus.PUBLISHED
    assert client.get(f"/disclosures/{disclosure.id}").status_code == 200

    page = client.get(f"/admin/disclosures/{disclosure.id}/edit").get_data(as_text=True)
    assert "修改已公开的内容会生成更正版本" in page
    corrected = form(body_md="## 支出\n\n合计 12,600 元。", version=str(disclosure.version),
                     reason="支出合计误写，更正为12,600元。")
    assert client.post(f"/admin/disclosures/{disclosure.id}/edit", data=corrected).status_code == 302
    db.session.expire_all()
    assert [r.number for r in disclosure.revisions] == [1, 2]
    assert disclosure.revisions[0].body_md == "## 支出\n\n合计 12,000 元。"


def test_coordinator_may_not_open_the_disclosure_pages(app):
    disclosure = make_disclosure()
    db.session.commit()
    client = signed_in(app, "coordinator")
    assert client.get("/admin/disclosures/").status_code == 403
    assert client.get(f"/admin/disclosures/{disclosure.id}/edit").status_code == 403
    assert client.post("/admin/disclosures/new", data=form()).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Disclosure)) == 1


def test_correcting_without_a_reason_is_refused_next_to_the_field_and_keeps_the_typed_text(app, admin_client):
    disclosure = make_disclosure(body_md="原始正文")
    db.session.commit()
    response = admin_client.post(f"/admin/disclosures/{disclosure.id}/edit",
                                 data=form(title=disclosure.title, body_md="改过的正文", reason="",
                                           version=str(disclosure.version)))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="reason-error"' in page and "改过的正文" in page
    db.session.expire_all()
    assert db.session.get(Disclosure, disclosure.id).body_md == "原始正文"
    assert len(db.session.get(Disclosure, disclosure.id).revisions) == 1


def test_invalid_period_is_refused_with_a_message_and_nothing_stored(app, admin_client):
    response = admin_client.post("/admin/disclosures/new", data=form(period_start="2024-12-31",
                                                                     period_end="2024-10-01"))
    assert response.status_code == 400
    assert 'id="period_end-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Disclosure)) == 0


def test_the_new_form_is_prefilled_from_the_address(app, admin_client):
    fund = make_fund(title="助学基金")
    project = make_project(fund_id=fund.id, title="助学圆梦")
    db.session.commit()
    page = admin_client.get(
        f"/admin/disclosures/new?kind=progress_report&project={project.id}&fund={fund.id}"
        "&period_start=2024-10-01&period_end=2024-12-31"
    ).get_data(as_text=True)
    assert '<option selected value="progress_report">' in page or 'value="progress_report" selected' in page
    assert f'<option selected value="{project.id}">' in page
    assert f'<option selected value="{fund.id}">' in page
    assert 'value="2024-10-01"' in page and 'value="2024-12-31"' in page
    assert "关于助学圆梦的公示" in page


def test_withdrawal_needs_a_public_reason(app, admin_client):
    disclosure = make_disclosure()
    db.session.commit()
    response = admin_client.post(f"/admin/disclosures/{disclosure.id}/withdraw", data={"withdrawn_reason": ""})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Disclosure, disclosure.id).status is DisclosureStatus.PUBLISHED
    response = admin_client.post(f"/admin/disclosures/{disclosure.id}/withdraw",
                                 data={"withdrawn_reason": "数据有误，另行公示。"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Disclosure, disclosure.id).status is DisclosureStatus.WITHDRAWN
    public = admin_client.get(f"/disclosures/{disclosure.id}")
    assert public.status_code == 200 and "数据有误，另行公示。" in public.get_data(as_text=True)


def test_a_draft_may_be_deleted_but_a_published_one_never(app, admin_client):
    draft = make_disclosure(status=DisclosureStatus.DRAFT, published_at=None)
    published = make_disclosure()
    db.session.commit()
    draft_id, published_id = draft.id, published.id
    assert admin_client.post(f"/admin/disclosures/{draft_id}/delete").status_code == 302
    assert db.session.get(Disclosure, draft_id) is None
    assert admin_client.get(f"/admin/disclosures/{published_id}/delete").status_code == 200
    assert admin_client.post(f"/admin/disclosures/{published_id}/delete").status_code == 409
    assert db.session.get(Disclosure, published_id) is not None


def test_no_write_route_removes_a_published_disclosure_or_its_revision(app, admin_client):
    """Every write rule under /admin/disclosures and /disclosures, with empty and filled forms."""
    disclosure = make_disclosure(body_md="原始正文")
    db.session.commit()
    disclosure_id = disclosure.id
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.rule.startswith(("/admin/disclosures", "/disclosures")) and rule.methods & WRITE_METHODS]
    assert any("delete" in rule.rule for rule in rules)
    for rule in rules:
        url = rule.build({"disclosure_id": disclosure_id, "number": 1})[1]
        for method in sorted(rule.methods & WRITE_METHODS):
            for data in ({}, {"confirm": "y", "reason": "原因", "attachment_id": "1"}):
                response = admin_client.open(url, method=method, data=data)
                assert response.status_code < 500, (method, url)
                if "delete" in rule.rule:
                    assert 400 <= response.status_code < 500, (method, url, response.status_code)
    db.session.expire_all()
    kept = db.session.get(Disclosure, disclosure_id)
    assert kept is not None and kept.status is DisclosureStatus.PUBLISHED
    first = db.session.scalars(select(DisclosureRevision).where(DisclosureRevision.disclosure_id == disclosure_id)
                               .order_by(DisclosureRevision.number)).first()
    assert first.number == 1 and first.body_md == "原始正文"


def test_attach_a_pdf_and_it_stays_after_publication(app, admin_client):
    disclosure = make_disclosure()
    db.session.commit()
    response = admin_client.post(
        f"/admin/disclosures/{disclosure.id}/attachments",
        data={"upload-file": (io.BytesIO(pdf_bytes()), "审计报告.pdf"), "upload-title": "2024年度审计报告"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.disclosure_id == disclosure.id
    response = admin_client.post(f"/admin/disclosures/{disclosure.id}/attachments/detach",
                                 data={"attachment_id": str(attachment.id)})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Attachment, attachment.id).disclosure_id == disclosure.id
    public = admin_client.get(f"/disclosures/{disclosure.id}").get_data(as_text=True)
    assert "2024年度审计报告" in public and f"/uploads/{attachment.stored_name}" in public
    assert "发布后补充" in public  # the disclosure was published yesterday: the late addition is dated


def test_a_pdf_carrying_a_script_is_not_attached_and_the_page_says_why(app, admin_client):
    disclosure = make_disclosure()
    db.session.commit()
    scripted = pdf_bytes().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>", 1)
    assert scripted != pdf_bytes()
    response = admin_client.post(
        f"/admin/disclosures/{disclosure.id}/attachments",
        data={"upload-file": (io.BytesIO(scripted), "审计报告.pdf"), "upload-title": "2024年度审计报告"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "这份 PDF 含有脚本（JavaScript）" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_an_image_is_not_attached(app, admin_client):
    disclosure = make_disclosure()
    db.session.commit()
    png = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(png, "PNG")
    response = admin_client.post(
        f"/admin/disclosures/{disclosure.id}/attachments",
        data={"upload-file": (io.BytesIO(png.getvalue()), "photo.png"), "upload-title": "照片"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "PDF" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
