"""Editors write, preview, publish, schedule, rename and remove content; every write is audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from factories import login, make_news, make_page, make_project, make_user, published
from sqlalchemy import select

from charity_site.core import editing, errors
from charity_site.extensions import db
from charity_site.models import AuditLog, NewsPost, Page, Project, PublicationStatus, utcnow
from charity_site.projects.operations import PROJECT

HOSTILE_MARKDOWN = (
    "## 标题\n\n| 项目 | 金额 |\n|---|---|\n| 助学 | 100元 |\n\n"
    "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
    "[点我](javascript:alert(1)) [数据](data:text/html;base64,PHNjcmlwdD4=)\n\n"
    '<p style="color:red">红字</p>\n\n<iframe src="https://evil.example"></iframe>\n\n'
    "![外链图](https://evil.example/x.png)"
)


@pytest.fixture
def editor(app, client):
    user = make_user("editor@example.org", roles=("editor",))
    assert login(client, user.email).status_code == 302
    return user


def form_data(**overrides):
    return {"title": "社区长者助餐点开张", "slug": "", "summary": "", "body_md": "正文",
            "status": "draft", "publish_at": "", "category": "", "source": "", "author": "",
            "cover_image": "", **overrides}


def audit_rows(object_type: str, object_id: int) -> list[AuditLog]:
    return list(db.session.scalars(
        select(AuditLog).where(AuditLog.object_type == object_type, AuditLog.object_id == object_id)
        .order_by(AuditLog.id)
    ))


def test_editor_creates_news_with_pinyin_slug_and_publishes_it(client, editor):
    response = client.post("/admin/news/new", data=form_data(status="published"))
    assert response.status_code == 302
    post = db.session.scalars(select(NewsPost)).one()
    assert post.slug == "she-qu-zhang-zhe"
    assert post.status is PublicationStatus.PUBLISHED and post.published_at is not None
    public = client.get(f"/news/{post.slug}")
    assert public.status_code == 200 and "社区长者助餐点开张" in public.get_data(as_text=True)
    actions = [row.action for row in audit_rows("news", post.id)]
    assert actions == ["create", "publish"]
    assert audit_rows("news", post.id)[0].user_id == editor.id


def test_a_draft_stays_private_until_published(client, editor):
    client.post("/admin/news/new", data=form_data(title="内部草稿"))
    post = db.session.scalars(select(NewsPost)).one()
    assert client.get(f"/news/{post.slug}").status_code == 404
    assert "内部草稿" not in client.get("/news/").get_data(as_text=True)


def test_invalid_input_keeps_what_was_typed_and_stores_nothing(client, editor):
    response = client.post("/admin/news/new", data=form_data(title="", body_md="我写了很久的正文"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert re.search(r'class="field-error" id="title-error">[^<]*标题', body)
    assert "我写了很久的正文" in body
    assert db.session.scalar(select(db.func.count()).select_from(NewsPost)) == 0


def test_a_taken_or_malformed_slug_is_refused_next_to_the_field(client, editor):
    make_news(slug="taken")
    db.session.commit()
    taken = client.post("/admin/news/new", data=form_data(slug="taken"))
    assert taken.status_code == 400
    assert "已被其他内容使用" in taken.get_data(as_text=True)
    malformed = client.post("/admin/news/new", data=form_data(slug="中文 Slug!"))
    assert malformed.status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(NewsPost)) == 1


def test_scheduling_needs_a_future_time_and_hides_the_item_until_then(client, editor):
    past = (utcnow() + timedelta(hours=8) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post("/admin/news/new", data=form_data(status="scheduled", publish_at=past))
    assert refused.status_code == 400
    future = (utcnow() + timedelta(hours=8) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    accepted = client.post("/admin/news/new", data=form_data(status="scheduled", publish_at=future))
    assert accepted.status_code == 302
    post = db.session.scalars(select(NewsPost)).one()
    assert post.status is PublicationStatus.SCHEDULED
    assert client.get(f"/news/{post.slug}").status_code == 404
    post.published_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/news/{post.slug}").status_code == 200


def test_preview_without_javascript_renders_and_sanitises_without_saving(client, editor):
    response = client.post("/admin/news/new", data=form_data(body_md=HOSTILE_MARKDOWN, preview="1"))
    assert response.status_code == 200
    preview = re.search(r"data-preview-output>(.*?)</div>", response.get_data(as_text=True), re.S).group(1)
    assert "<table>" in preview and "助学" in preview
    for hostile in ("<script", "onerror", "javascript:", "data:text", "style=", "<iframe", "evil.example"):
        assert hostile not in preview
    assert db.session.scalar(select(db.func.count()).select_from(NewsPost)) == 0


def test_live_preview_endpoint_uses_the_same_sanitiser(client, editor):
    response = client.post("/admin/preview/", data={"body_md": HOSTILE_MARKDOWN})
    html = response.get_json()["html"]
    assert "<table>" in html and "红字" in html
    for hostile in ("<script", "onerror", "javascript:", "data:text", "style=", "<iframe", "evil.example"):
        assert hostile not in html


def test_hostile_markdown_is_neutralised_on_the_public_page(client, editor):
    client.post("/admin/news/new", data=form_data(title="安全测试", body_md=HOSTILE_MARKDOWN, status="published"))
    post = db.session.scalars(select(NewsPost)).one()
    body = client.get(f"/news/{post.slug}").get_data(as_text=True)
    article = body.split('class="prose article-body">', 1)[1].split("</div>", 1)[0]
    assert "<table>" in article and "助学" in article
    for hostile in ("<script", "onerror", "javascript:", "data:text", "style=", "<iframe", "evil.example"):
        assert hostile not in article


def test_a_stale_edit_is_refused_and_neither_edit_is_lost(client, editor, app):
    page = make_page(title="关于我们", body_md="原文")
    db.session.commit()
    edit_url = f"/admin/pages/{page.id}/edit"
    stale_version = page.version

    first = client.post(edit_url, data=form_data(title="关于我们", body_md="同事的修改", status="published",
                                                 version=stale_version))
    assert first.status_code == 302

    second = client.post(edit_url, data=form_data(title="关于我们", body_md="我的修改", status="published",
                                                  version=stale_version))
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "其他人" in body and "我的修改" in body and "同事的修改" in body
    db.session.expire_all()
    assert db.session.get(Page, page.id).body_md == "同事的修改"


def test_renaming_a_published_slug_redirects_the_old_address(client, editor):
    project = make_project(slug="old-name", title="旧名字项目")
    db.session.commit()
    response = client.post(f"/admin/projects/{project.id}/edit", data=form_data(
        title="新名字项目", slug="new-name", status="published", category="慈善救助", project_status="active",
        fund_id="0", version=project.version))
    assert response.status_code == 302
    old = client.get("/projects/old-name")
    assert old.status_code == 301
    assert old.headers["Location"].endswith("/projects/new-name")
    assert client.get("/projects/new-name").status_code == 200


def test_audit_entry_carries_before_and_after(client, editor):
    project = make_project(title="助学计划", budget_fen=100_000)
    db.session.commit()
    client.post(f"/admin/projects/{project.id}/edit", data=form_data(
        title="助学计划", slug=project.slug, status="published", category="助学支教", project_status="active",
        fund_id="0", budget_fen="2,500.50", version=project.version))
    update = [row for row in audit_rows("project", project.id) if row.action == "update"][-1]
    assert update.changes["budget_fen"] == [100_000, 250_050]
    assert update.changes["category"] == ["慈善救助", "助学支教"]
    assert "title" not in update.changes


def test_bad_money_is_refused_with_a_chinese_message(client, editor):
    response = client.post("/admin/projects/new", data=form_data(
        title="新项目", category="慈善救助", project_status="active", fund_id="0", budget_fen="12.345"))
    assert response.status_code == 400
    assert "最多两位小数" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Project)) == 0


def test_deleting_a_published_item_unpublishes_it_and_a_draft_is_deleted(client, editor):
    live = make_news(title="已发布的新闻")
    draft = make_news(title="草稿新闻", status=PublicationStatus.DRAFT, published_at=None)
    db.session.commit()
    assert client.get(f"/admin/news/{live.id}/delete").status_code == 200
    client.post(f"/admin/news/{live.id}/delete")
    client.post(f"/admin/news/{draft.id}/delete")
    db.session.expire_all()
    assert db.session.get(NewsPost, live.id).status is PublicationStatus.DRAFT
    assert db.session.get(NewsPost, draft.id) is None
    assert client.get(f"/news/{live.slug}").status_code == 404
    assert [row.action for row in audit_rows("news", draft.id)] == ["delete"]


def test_delete_is_post_only(client, editor):
    post = make_news(status=PublicationStatus.DRAFT, published_at=None)
    db.session.commit()
    client.get(f"/admin/news/{post.id}/delete")
    assert db.session.get(NewsPost, post.id) is not None


def test_a_project_with_ledger_lines_cannot_be_deleted(app):
    from factories import make_entry, make_fund

    fund = make_fund()
    project = make_project(status=PublicationStatus.DRAFT, published_at=None)
    make_entry(fund, 10_000, project_id=project.id)
    db.session.commit()
    with pytest.raises(errors.EditError):
        editing.delete_or_unpublish(PROJECT, project)
    assert db.session.get(Project, project.id) is not None


def test_project_updates_are_added_and_shown_on_the_timeline(client, editor):
    project = make_project(**published())
    db.session.commit()
    response = client.post(f"/admin/projects/{project.id}/updates/new", data={
        "happened_on": "2025-01-10", "title": "完成第一批走访", "body_md": "走访 **53户**。", "published": "y"})
    assert response.status_code == 302
    page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert "完成第一批走访" in page and "<strong>53户</strong>" in page


def test_admin_lists_search_and_filter_by_status(client, editor):
    make_news(title="重阳节慰问活动")
    make_news(title="春节慰问", status=PublicationStatus.DRAFT, published_at=None)
    db.session.commit()
    found = client.get("/admin/news/?q=重阳").get_data(as_text=True)
    assert "重阳节慰问活动" in found and "春节慰问" not in found
    drafts = client.get("/admin/news/?status=draft").get_data(as_text=True)
    assert "春节慰问" in drafts and "重阳节慰问活动" not in drafts
    assert "没有符合" in client.get("/admin/news/?q=不存在的词").get_data(as_text=True)
